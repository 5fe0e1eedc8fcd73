/*
 * A test-only SQLite VFS that records what a power cut could take back: before each write or
 * truncate of a database, WAL or journal file it appends the bytes about to be overwritten to
 * "<file>.undo"; a successful xSync empties that log (those writes are now durable). After the
 * process is killed, powercut.py reverts some or all of the still-pending writes.
 */
#ifndef TALLYKIOSK_LOSSYVFS_H
#define TALLYKIOSK_LOSSYVFS_H

/* Registers the VFS as SQLite's default. real_sync: also pass xSync on to the disk (not
 * needed when only the process is killed: the page cache keeps what was written).
 * Returns an SQLite result code. */
int lossyvfs_register(int real_sync);

#endif
