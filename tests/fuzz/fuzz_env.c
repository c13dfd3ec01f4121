/*
 * libFuzzer: the environment builder.  The input is split at newlines into
 * the incoming environment.  Whatever comes in, the output starts with the
 * safe PATH, holds only valid, whitelisted or configured names, each once,
 * never HTTP_PROXY or a "() {" value, and cgibox's own variables carry
 * cgibox's values.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgibox.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config	c;
	static struct envbuf	eb;
	static char		buf[ENV_MAX_BYTES + 1];
	static char		*in[ENV_MAX_VARS * 2 + 1];
	static bool		init;
	const char		*conf = "env-pass APP_ENV\nenv-set FIXED=1\n";
	struct effective	e;
	struct fault		f;
	size_t			n = 0;

	if (!init) {
		conf_defaults(&c, "/var/log/x");
		if (conf_parse(&c, conf, strlen(conf), NULL, NULL) != 0)
			abort();
		init = true;
	}
	if (size > ENV_MAX_BYTES)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (char *p = buf; n < ENV_MAX_VARS * 2 && p <= buf + size;) {
		char *nl = strchr(p, '\n');

		in[n++] = p;
		if (nl == NULL)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	in[n] = NULL;
	conf_effective(&c, "u", "g", &e);
	if (env_build(&(struct env_in){ in, &e, "u", "/home/u", "/srv/s" },
	    &eb, &f) != R_ALLOW)
		return 0;
	if (eb.n == 0 || strcmp(eb.vec[0], "PATH=/usr/local/bin:/usr/bin:/bin")
	    != 0 || eb.vec[eb.n] != NULL)
		abort();
	for (size_t i = 0; i < eb.n; i++) {
		const char	*eq = strchr(eb.vec[i], '=');
		size_t		 len;

		if (eq == NULL)
			abort();
		len = (size_t)(eq - eb.vec[i]);
		if (!valid_env_name(eb.vec[i], len) ||
		    strncmp(eq + 1, "() {", 4) == 0 ||
		    strncmp(eb.vec[i], "HTTP_PROXY=", 11) == 0)
			abort();
		if (!env_whitelisted(eb.vec[i], len) &&
		    strncmp(eb.vec[i], "APP_ENV=", 8) != 0 &&
		    strncmp(eb.vec[i], "FIXED=", 6) != 0 &&
		    strncmp(eb.vec[i], "PATH=", 5) != 0 &&
		    strncmp(eb.vec[i], "HOME=", 5) != 0 &&
		    strncmp(eb.vec[i], "USER=", 5) != 0 &&
		    strncmp(eb.vec[i], "LOGNAME=", 8) != 0 &&
		    strncmp(eb.vec[i], "SCRIPT_FILENAME=", 16) != 0)
			abort();
		for (size_t j = i + 1; j < eb.n; j++)
			if (strncmp(eb.vec[i], eb.vec[j], len + 1) == 0)
				abort();
	}
	if (strcmp(env_get(eb.vec, "HOME"), "/home/u") != 0 ||
	    strcmp(env_get(eb.vec, "SCRIPT_FILENAME"), "/srv/s") != 0 ||
	    strcmp(env_get(eb.vec, "FIXED"), "1") != 0)
		abort();
	return 0;
}
