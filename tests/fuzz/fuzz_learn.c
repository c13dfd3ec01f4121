/*
 * libFuzzer: learn mode's store reader.  Whatever the bytes (the store is
 * written by a learning request's init, as its target), reading them
 * never takes more than LEARN_MAX_RECORDS records, and every record it
 * takes writes back as one line that reads back as the same record: a
 * script name cannot smuggle in a line of its own.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cgibox.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct learn_set	set;
	static struct learn_rec	back;
	struct logline		l;

	if (size > LEARN_STORE_MAX)
		return 0;
	learn_read(&set, (const char *)data, size);
	if (set.n > LEARN_MAX_RECORDS)
		abort();
	for (size_t i = 0; i < set.n; i++) {
		const struct learn_rec	*r = &set.r[i];

		learn_format(r, &l);
		if (l.len == 0 || l.buf[l.len - 1] != '\n' ||
		    memchr(l.buf, '\n', l.len - 1) != NULL ||
		    !learn_parse(l.buf, l.len - 1, &back) ||
		    strcmp(back.call, r->call) != 0 || back.count != r->count ||
		    back.nargs != r->nargs || back.nscripts != r->nscripts ||
		    memcmp(back.argv, r->argv, sizeof(r->argv)) != 0)
			abort();
		for (size_t k = 0; k < r->nscripts; k++)
			if (strcmp(back.scripts[k], r->scripts[k]) != 0)
				abort();
	}
	return 0;
}
