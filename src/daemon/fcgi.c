/*
 * FastCGI 1.0 records: the reader of one connection's input, and the
 * records cgiboxd writes.  Pure: no system calls, no allocation; the
 * relay feeds it what it read from the web server, and the fuzzer feeds
 * it anything.
 *
 * MUST rules:
 * - Every length is checked against the record header, and every record
 *   against the request's phase, before a byte of content is used:
 *   BEGIN_REQUEST has 8 bytes, ABORT_REQUEST none, GET_VALUES comes on
 *   request id 0 and fits its buffer; PARAMS come before STDIN, and
 *   their sum fits FCGI_PARAMS_MAX; STDIN never passes CONTENT_LENGTH.
 * - Anything else malformed (another version, a record type only an
 *   application sends, a second BEGIN_REQUEST for the active id) is
 *   FE_BAD: the connection ends.  A record of an unknown type is answered
 *   (FE_UNKNOWN); one for a request id that is not active is skipped.
 * - One request at a time: a BEGIN_REQUEST for another id while one is
 *   active is FE_MPX (the answer is FCGI_CANT_MPX_CONN), one for another
 *   role than responder FE_ROLE (FCGI_UNKNOWN_ROLE).
 */
#include <stdio.h>
#include <string.h>

#include "daemon.h"

void
fcgi_in_init(struct fcgi_in *in)
{
	memset(in, 0, offsetof(struct fcgi_in, params));
}

/* The request has ended: the connection waits for the next one. */
void
fcgi_in_next_request(struct fcgi_in *in)
{
	in->phase = FP_IDLE;
	in->req = 0;
	in->plen = 0;
	in->stdin_got = 0;
	in->content_length = 0;
}

static size_t
bad(struct fcgi_ev *ev, const char *why)
{
	ev->type = FE_BAD;
	ev->why = why;
	return 0;
}

/* A whole record has been read: what it means. */
static void
record_end(struct fcgi_in *in, struct fcgi_ev *ev)
{
	bool	active = in->phase != FP_IDLE && in->id == in->req;

	ev->id = in->id;
	switch (in->type) {
	case FCGI_BEGIN_REQUEST:
		if (in->phase != FP_IDLE) {
			if (in->id == in->req) {
				(void)bad(ev, "a second BEGIN_REQUEST for the "
				    "active request");
				return;
			}
			ev->type = FE_MPX;
			return;
		}
		if ((in->body[0] << 8 | in->body[1]) != FCGI_RESPONDER) {
			ev->type = FE_ROLE;
			return;
		}
		in->phase = FP_PARAMS;
		in->req = in->id;
		in->keep_conn = (in->body[2] & FCGI_KEEP_CONN) != 0;
		in->plen = 0;
		in->stdin_got = 0;
		ev->type = FE_BEGIN;
		return;
	case FCGI_ABORT_REQUEST:
		if (active)
			ev->type = FE_ABORT;
		return;
	case FCGI_PARAMS:
		if (!active || in->clen > 0)
			return;
		if (!msg_content_length(in->params, in->plen,
		    &in->content_length)) {
			(void)bad(ev, "CONTENT_LENGTH is not a number");
			return;
		}
		in->phase = FP_STDIN;
		ev->type = FE_PARAMS;
		ev->data = in->params;
		ev->len = in->plen;
		return;
	case FCGI_STDIN:
		if (!active || in->clen > 0)
			return;
		/* A body cut short is not passed off as whole. */
		if (in->stdin_got < in->content_length) {
			(void)bad(ev, "the body ended before its CONTENT_LENGTH");
			return;
		}
		in->phase = FP_DONE;
		ev->type = FE_STDIN_END;
		return;
	case FCGI_GET_VALUES:
		ev->type = FE_VALUES;
		ev->data = in->values;
		ev->len = in->vlen;
		return;
	case FCGI_DATA:
		return;			/* only the filter role reads it */
	default:
		ev->type = FE_UNKNOWN;
		ev->rtype = in->type;
		return;
	}
}

/* A header is complete: check it against the type and the phase. */
static size_t
header(struct fcgi_in *in, struct fcgi_ev *ev)
{
	bool	active;

	if (in->hdr[0] != FCGI_VERSION_1)
		return bad(ev, "not FastCGI version 1");
	in->type = in->hdr[1];
	in->id = (uint16_t)(in->hdr[2] << 8 | in->hdr[3]);
	in->clen = (size_t)(in->hdr[4] << 8 | in->hdr[5]);
	in->cgot = 0;
	active = in->phase != FP_IDLE && in->id == in->req;
	switch (in->type) {
	case FCGI_BEGIN_REQUEST:
		if (in->clen != sizeof(in->body) || in->id == 0)
			return bad(ev, "a malformed BEGIN_REQUEST");
		break;
	case FCGI_ABORT_REQUEST:
		if (in->clen != 0)
			return bad(ev, "an ABORT_REQUEST with content");
		break;
	case FCGI_PARAMS:
		if (active && in->phase != FP_PARAMS)
			return bad(ev, "PARAMS after the params ended");
		break;
	case FCGI_STDIN:
		if (active && in->phase == FP_PARAMS)
			return bad(ev, "STDIN before the params ended");
		if (active && in->phase == FP_DONE)
			return bad(ev, "STDIN after the stream ended");
		break;
	case FCGI_GET_VALUES:
		if (in->id != 0 || in->clen > sizeof(in->values))
			return bad(ev, "a malformed GET_VALUES");
		in->vlen = 0;
		break;
	case FCGI_END_REQUEST:
	case FCGI_STDOUT:
	case FCGI_STDERR:
	case FCGI_GET_VALUES_RESULT:
	case FCGI_UNKNOWN_TYPE:
		return bad(ev, "a record type only an application sends");
	default:
		break;
	}
	return 0;
}

/*
 * Read from data[0, len): returns the bytes taken and sets *ev to what
 * they completed (FE_NONE: nothing yet).  FE_STDIN points into data.
 * After FE_BAD nothing more may be fed.
 */
size_t
fcgi_feed(struct fcgi_in *in, const uint8_t *data, size_t len,
    struct fcgi_ev *ev)
{
	size_t	pos = 0;

	memset(ev, 0, sizeof(*ev));
	while (pos < len) {
		size_t	n;

		if (in->pad > 0) {
			n = len - pos < in->pad ? len - pos : in->pad;
			in->pad -= n;
			pos += n;
			continue;
		}
		if (in->hlen < FCGI_HEADER_LEN) {
			n = FCGI_HEADER_LEN - in->hlen;
			n = len - pos < n ? len - pos : n;
			memcpy(in->hdr + in->hlen, data + pos, n);
			in->hlen += n;
			pos += n;
			if (in->hlen < FCGI_HEADER_LEN)
				continue;
			(void)header(in, ev);
			if (ev->type == FE_BAD)
				return pos;
		}
		n = in->clen - in->cgot;
		n = len - pos < n ? len - pos : n;
		if (n > 0) {
			bool active = in->phase != FP_IDLE && in->id == in->req;

			switch (in->type) {
			case FCGI_BEGIN_REQUEST:
				memcpy(in->body + in->cgot, data + pos, n);
				break;
			case FCGI_GET_VALUES:
				memcpy(in->values + in->vlen, data + pos, n);
				in->vlen += n;
				break;
			case FCGI_PARAMS:
				if (!active)
					break;
				if (n > sizeof(in->params) - in->plen) {
					(void)bad(ev, "params larger than "
					    "FCGI_PARAMS_MAX");
					return pos;
				}
				memcpy(in->params + in->plen, data + pos, n);
				in->plen += n;
				break;
			case FCGI_STDIN:
				if (!active)
					break;
				if (n > in->content_length - in->stdin_got) {
					(void)bad(ev, "a body longer than its "
					    "CONTENT_LENGTH");
					return pos;
				}
				in->stdin_got += n;
				in->cgot += n;
				ev->type = FE_STDIN;
				ev->id = in->id;
				ev->data = data + pos;
				ev->len = n;
				pos += n;
				if (in->cgot == in->clen) {
					in->hlen = 0;
					in->pad = in->hdr[6];
				}
				return pos;
			default:
				break;
			}
			in->cgot += n;
			pos += n;
		}
		if (in->cgot < in->clen)
			continue;
		/* A record ends; its padding follows. */
		in->hlen = 0;
		in->pad = in->hdr[6];
		record_end(in, ev);
		if (ev->type != FE_NONE)
			return pos;
	}
	return pos;
}

/* ---- writing ------------------------------------------------------------------ */

/* One record of clen bytes of content into buf; 0 if it does not fit. */
size_t
fcgi_record(uint8_t *buf, size_t size, enum fcgi_type type, uint16_t id,
    const void *content, size_t clen)
{
	if (clen > FCGI_MAX_CONTENT || size < FCGI_HEADER_LEN + clen)
		return 0;
	buf[0] = FCGI_VERSION_1;
	buf[1] = (uint8_t)type;
	buf[2] = (uint8_t)(id >> 8);
	buf[3] = (uint8_t)id;
	buf[4] = (uint8_t)(clen >> 8);
	buf[5] = (uint8_t)clen;
	buf[6] = 0;		/* no padding */
	buf[7] = 0;
	if (clen > 0)
		memcpy(buf + FCGI_HEADER_LEN, content, clen);
	return FCGI_HEADER_LEN + clen;
}

size_t
fcgi_end_request(uint8_t *buf, size_t size, uint16_t id, uint32_t app,
    enum fcgi_status st)
{
	uint8_t	body[8] = { (uint8_t)(app >> 24), (uint8_t)(app >> 16),
	    (uint8_t)(app >> 8), (uint8_t)app, (uint8_t)st, 0, 0, 0 };

	return fcgi_record(buf, size, FCGI_END_REQUEST, id, body, sizeof(body));
}

size_t
fcgi_unknown_type(uint8_t *buf, size_t size, uint8_t type)
{
	uint8_t	body[8] = { type, 0, 0, 0, 0, 0, 0, 0 };

	return fcgi_record(buf, size, FCGI_UNKNOWN_TYPE, 0, body, sizeof(body));
}

/* A name-value pair's length: 1 byte below 128, else 4 with the top bit. */
static bool
nv_len(const uint8_t *b, size_t len, size_t *pos, size_t *out)
{
	if (*pos >= len)
		return false;
	if (!(b[*pos] & 0x80)) {
		*out = b[(*pos)++];
		return true;
	}
	if (len - *pos < 4)
		return false;
	*out = (size_t)(b[*pos] & 0x7f) << 24 | (size_t)b[*pos + 1] << 16 |
	    (size_t)b[*pos + 2] << 8 | b[*pos + 3];
	*pos += 4;
	return true;
}

/*
 * The name-value pair at *pos of b[0, len): false at the end, or on a
 * malformed pair (then *pos != len).
 */
bool
fcgi_nv_next(const uint8_t *b, size_t len, size_t *pos, const uint8_t **name,
    size_t *nlen, const uint8_t **value, size_t *vlen)
{
	size_t	p = *pos;

	if (p >= len || !nv_len(b, len, &p, nlen) || !nv_len(b, len, &p, vlen) ||
	    *nlen > len - p || *vlen > len - p - *nlen)
		return false;
	*name = b + p;
	*value = b + p + *nlen;
	*pos = p + *nlen + *vlen;
	return true;
}

static size_t
nv_put(uint8_t *b, size_t size, const char *name, const char *value)
{
	size_t	nl = strlen(name), vl = strlen(value);

	/* Our names and values are short: one length byte each. */
	if (nl > 127 || vl > 127 || size < 2 + nl + vl)
		return 0;
	b[0] = (uint8_t)nl;
	b[1] = (uint8_t)vl;
	/* Counted bytes, not strings. */
	/* NOLINTNEXTLINE(bugprone-not-null-terminated-result) */
	memcpy(b + 2, name, nl);
	/* NOLINTNEXTLINE(bugprone-not-null-terminated-result) */
	memcpy(b + 2 + nl, value, vl);
	return 2 + nl + vl;
}

/*
 * The answer to GET_VALUES pairs q[0, qlen): the values cgiboxd knows
 * (FCGI_MAX_CONNS, FCGI_MAX_REQS, FCGI_MPXS_CONNS), the others left out.
 */
size_t
fcgi_values_result(uint8_t *buf, size_t size, const uint8_t *q, size_t qlen,
    unsigned max_conns, unsigned max_reqs)
{
	uint8_t		 pairs[256];
	size_t		 pos = 0, used = 0, nlen, vlen;
	const uint8_t	*name, *value;
	char		 num[16];

	while (fcgi_nv_next(q, qlen, &pos, &name, &nlen, &value, &vlen)) {
		const char	*v = NULL, *known[] = { "FCGI_MAX_CONNS",
		    "FCGI_MAX_REQS", "FCGI_MPXS_CONNS" };
		size_t		 k;

		for (k = 0; k < 3; k++)
			if (strlen(known[k]) == nlen &&
			    memcmp(known[k], name, nlen) == 0)
				break;
		if (k == 3)
			continue;
		(void)snprintf(num, sizeof(num), "%u", k == 0 ? max_conns :
		    max_reqs);
		v = k == 2 ? "0" : num;
		used += nv_put(pairs + used, sizeof(pairs) - used, known[k], v);
	}
	return fcgi_record(buf, size, FCGI_GET_VALUES_RESULT, 0, pairs, used);
}
