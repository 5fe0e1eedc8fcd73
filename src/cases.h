/*
 * The cases file: the people and communities the letters are written for, shown by the
 * carousel. INI (parsed with inih), UTF-8, one [ID] section per case in the order shown:
 *
 *   [jani-silva]
 *   name = Jani Silva
 *   country = Colombia
 *   headline = Defending the Amazon in Perla Amazónica
 *   story = Jani Silva is a campesina who has spent her life protecting
 *     the Amazon... (an indented line continues the value above, joined by a space)
 *   photo = photos/jani.jpg        ; optional, relative to the cases file
 *   initials = JS                  ; optional, for the badge shown when there is no photo
 *   headline.fr = ...              ; optional second language: KEY.LANG for name,
 *   story.fr = ...                 ; country, headline and story
 *
 * A file has at most one second language (every KEY.LANG in it uses the same LANG). Text is
 * taken as it is (NFC is assumed; the renderer shapes NFD correctly too). A value that
 * cannot be used is an error naming the file, the line and the key, like kiosk.conf.
 */
#ifndef TALLYKIOSK_CASES_H
#define TALLYKIOSK_CASES_H

#include <stddef.h>

#define CASES_MAX 64
#define CASES_ID_MAX 64    /* a section name, also what [gpio.NAME] case = refers to */
#define CASES_LANG_MAX 4   /* "fr", "es", "fil" */
#define CASES_TEXT_MAX 1200 /* a story of a few sentences, with room for long words */

enum cases_field { CASES_NAME, CASES_COUNTRY, CASES_HEADLINE, CASES_STORY, CASES_NFIELDS };

/* One case. text[0] is the first language, text[1] the second (a field may be NULL there:
 * the first language's text is shown instead). Strings are owned by the struct cases. */
struct case_entry {
	char id[CASES_ID_MAX];
	int line;                         /* where its section starts */
	char *text[2][CASES_NFIELDS];
	char *photo;                      /* resolved path, or NULL */
	char initials[16];                /* for the badge: "initials =", else from the name */
};

/* A plain value: the cases in file order. Free with cases_free. */
struct cases {
	int n;
	struct case_entry v[CASES_MAX];
	char lang2[CASES_LANG_MAX];       /* "" when the file has no second language */
};

enum cases_status {
	CASES_OK = 0,
	CASES_ERR_IO,      /* missing, unreadable, out of memory */
	CASES_ERR_SYNTAX,  /* not INI */
	CASES_ERR_KEY,     /* unknown key, duplicate key or section, key outside a section */
	CASES_ERR_VALUE,   /* empty name, bad UTF-8, text too long, photo missing */
};

/*
 * Reads the cases file at path into out (which needs no preparation and is always left safe
 * to cases_free). On error returns the status and writes one line to err,
 * "FILE:LINE: [id] key: what is wrong".
 */
enum cases_status cases_load(struct cases *out, const char *path, char *err, size_t errlen);

void cases_free(struct cases *c);

/* The case with that id, or NULL. */
const struct case_entry *cases_find(const struct cases *c, const char *id);

/* The text of a field in language lang (0 or 1), falling back to the first language. */
const char *cases_text(const struct case_entry *e, int lang, enum cases_field f);

/* 1 if e has any text of its own in the second language. */
int cases_has_lang2(const struct case_entry *e);

/*
 * The bundled cases file for a program at exe_path: ../share/tallykiosk/cases/cases.ini
 * beside an installed binary, else ../assets/cases/cases.ini (the build tree). Writes the
 * first that exists. Returns 0, or -1 if neither exists or the path is too long.
 */
int cases_bundled_path(const char *exe_path, char *buf, size_t len);

/*
 * Initials for a badge: the first letter of the name and the first capital of the last word
 * that has one ("Jani Silva" -> "JS", "Nassima al-Sada" -> "NS", "Grassy Narrows youth" ->
 * "GN"). UTF-8 aware; at most two letters.
 */
void cases_initials(const char *name, char *buf, size_t len);

#endif
