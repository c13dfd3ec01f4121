/*
 * libFuzzer: the configuration parser.  Any input must parse without a
 * memory error, every error must be reported through the callback, and an
 * accepted configuration must satisfy the invariants the launcher relies
 * on.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgibox.h"

static unsigned	reported;

static void
count(void *ctx, unsigned line, const char *msg)
{
	(void)ctx;
	(void)line;
	if (msg == NULL || msg[0] == '\0')
		abort();
	reported++;
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config	c;
	struct effective	e;
	unsigned		errors;

	if (size > CONF_MAX_BYTES)
		return 0;
	conf_defaults(&c, "/var/log/cgibox.log");
	reported = 0;
	errors = conf_parse(&c, (const char *)data, size, count, NULL);
	if (errors != reported)
		abort();
	if (errors != 0)
		return 0;
	if (c.strused > sizeof(c.strbuf) || c.n_docroot > CONF_MAX_DOCROOTS ||
	    c.n_match > CONF_MAX_MATCH || c.min_uid == 0 || c.min_gid == 0)
		abort();
	for (size_t i = 0; i < c.n_docroot; i++)
		if (c.docroot[i][0] != '/' || !path_is_canonical(c.docroot[i]))
			abort();
	if (c.log_file == NULL && c.syslog_facility < 0)
		abort();
	for (size_t i = 0; i < c.n_match; i++) {
		conf_effective(&c, c.match[i].name, c.match[i].name, &e);
		if (e.n_scope < 2 || e.s.umask > 0777 || e.s.nice < 0 ||
		    e.s.nice > 19)
			abort();
		for (const char *p = e.s.safe_path; *p != '\0'; p++)
			if ((p == e.s.safe_path || p[-1] == ':') && *p != '/')
				abort();
	}
	return 0;
}
