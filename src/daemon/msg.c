/*
 * What the relay and the monitor say to each other.  The relay turns a
 * request's FastCGI params into an environment block, NAME=VALUE strings
 * one after the other, each ended by a NUL; the monitor, which runs as
 * root, splits it back only after checking that it is exactly that.
 * Pure: no system calls.
 *
 * MUST rules:
 * - A pair whose name is not [A-Za-z_][A-Za-z0-9_]* is dropped (the
 *   environment's whitelist would drop it anyway); a value that holds a
 *   NUL byte, more than ENV_MAX_VARS pairs or a block that does not fit
 *   refuse the request.
 * - msg_env_split() accepts only a block of NUL-ended strings that each
 *   have a valid name and an '=', at most ENV_MAX_VARS of them, and
 *   nothing after the last NUL.
 */
#include <string.h>

#include "daemon.h"

/*
 * The params p[0, plen) as an environment block in out (size bytes).
 * Returns its length, or 0 with *why set.  An empty block is "\0"-less:
 * length 0 with *why NULL.
 */
size_t
msg_env_from_params(const uint8_t *p, size_t plen, char *out, size_t size,
    const char **why)
{
	const uint8_t	*name, *value;
	size_t		 pos = 0, used = 0, nlen, vlen, count = 0;

	*why = NULL;
	while (fcgi_nv_next(p, plen, &pos, &name, &nlen, &value, &vlen)) {
		if (!valid_env_name((const char *)name, nlen))
			continue;
		if (memchr(value, '\0', vlen) != NULL) {
			*why = "a parameter value holds a NUL byte";
			return 0;
		}
		if (++count > ENV_MAX_VARS) {
			*why = "more parameters than ENV_MAX_VARS";
			return 0;
		}
		if (nlen + vlen + 2 > size - used) {
			*why = "the parameters do not fit";
			return 0;
		}
		memcpy(out + used, name, nlen);
		out[used + nlen] = '=';
		memcpy(out + used + nlen + 1, value, vlen);
		out[used + nlen + 1 + vlen] = '\0';
		used += nlen + vlen + 2;
	}
	if (pos != plen) {
		*why = "a malformed name-value pair";
		return 0;
	}
	return used;
}

/*
 * Check block[0, len) and point vec[0, nvec - 1) at its strings, then a
 * NULL.  False if it is anything but well-formed.
 */
bool
msg_env_split(char *block, size_t len, char **vec, size_t nvec)
{
	size_t	pos = 0, n = 0;

	if (nvec == 0)
		return false;
	while (pos < len) {
		char	*s = block + pos, *nul, *eq;

		nul = memchr(s, '\0', len - pos);
		eq = memchr(s, '=', len - pos);
		if (nul == NULL || eq == NULL || eq > nul ||
		    !valid_env_name(s, (size_t)(eq - s)) || n + 1 >= nvec ||
		    n == ENV_MAX_VARS)
			return false;
		vec[n++] = s;
		pos = (size_t)(nul - block) + 1;
	}
	vec[n] = NULL;
	return true;
}

/*
 * CONTENT_LENGTH among the params: decimal digits, at most 18 of them;
 * absent or empty means 0.  False if it is anything else.
 */
bool
msg_content_length(const uint8_t *p, size_t plen, uint64_t *out)
{
	const uint8_t	*name, *value;
	size_t		 pos = 0, nlen, vlen;

	*out = 0;
	while (fcgi_nv_next(p, plen, &pos, &name, &nlen, &value, &vlen)) {
		uint64_t v = 0;

		if (nlen != 14 || memcmp(name, "CONTENT_LENGTH", 14) != 0)
			continue;
		if (vlen > 18)
			return false;
		for (size_t i = 0; i < vlen; i++) {
			if (value[i] < '0' || value[i] > '9')
				return false;
			v = v * 10 + (uint64_t)(value[i] - '0');
		}
		*out = v;
		break;		/* the first wins, as in the environment */
	}
	return true;
}
