/*
 * The reasons table against itself and against cgibox(8): unique names and
 * codes, codes below 128, and an EXIT STATUS row for every code.
 */
#include <stdlib.h>

#include "cgibox.h"
#include "tap.h"

static char *
slurp(const char *path)
{
	static char	buf[256 * 1024];
	FILE		*fp = fopen(path, "r");
	size_t		 n;

	if (fp == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

int
main(void)
{
	const char	*man = slurp(MANPAGE), *section;

	for (int i = 1; i < R_COUNT; i++)
		for (int j = i + 1; j < R_COUNT; j++) {
			if (strcmp(reason_table[i].name,
			    reason_table[j].name) == 0)
				ok(0, "duplicate name %s", reason_table[i].name);
			if (reason_table[i].code != 0 &&
			    reason_table[i].code == reason_table[j].code)
				ok(0, "duplicate code %d", reason_table[i].code);
		}
	ok(1, "names and codes are unique");
	for (int i = 1; i < R_COUNT; i++)
		ok(reason_table[i].code < 128 && (reason_table[i].code == 0 ||
		    reason_table[i].http == 403 || reason_table[i].http == 500 ||
		    reason_table[i].http == 503), "%s: code below 128, known "
		    "HTTP status", reason_table[i].name);
	if (!ok(man != NULL, "read %s", MANPAGE))
		return done_testing();
	section = strstr(man, ".Sh EXIT STATUS");
	ok(section != NULL, "cgibox(8) has an EXIT STATUS section");
	for (int i = 1; section != NULL && i < R_COUNT; i++) {
		char	row[512];

		if (reason_table[i].code == 0)
			continue;
		snprintf(row, sizeof(row), "\n.It Sy %s Ta %d Ta %s\n",
		    reason_table[i].name, reason_table[i].code,
		    reason_table[i].desc);
		ok(strstr(section, row) != NULL, "cgibox(8) lists %s as %d",
		    reason_table[i].name, reason_table[i].code);
	}
	return done_testing();
}
