/*
 * libFuzzer: the log line formatter.  Whatever the values, a line is one
 * line (its only newline is the last byte), holds only printable ASCII,
 * fits LOG_LINE_MAX, and starts with the fields written first.  The input
 * is split at NUL bytes into field values; the error page never carries
 * an invalid request id.
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
	static char	buf[65536];
	struct logline	l;
	char		page[512];
	size_t		len;

	if (size >= sizeof(buf))
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	log_begin(&l);
	log_field(&l, "event", "deny");
	for (char *p = buf; p <= buf + size; p += strlen(p) + 1)
		log_field(&l, "v", p);
	log_end(&l);
	if (l.len >= LOG_LINE_MAX || l.len != strlen(l.buf) ||
	    strncmp(l.buf, "event=deny", 10) != 0 || l.buf[l.len - 1] != '\n')
		abort();
	for (size_t i = 0; i + 1 < l.len; i++)
		if ((unsigned char)l.buf[i] < 0x20 ||
		    (unsigned char)l.buf[i] > 0x7e)
			abort();
	len = error_page(R_FILE_OWNER, buf, page, sizeof(page));
	if (len != strlen(page) || (valid_request_id(buf) ?
	    strstr(page, buf) == NULL : strstr(page, "request id: -\r\n") ==
	    NULL))
		abort();
	return 0;
}
