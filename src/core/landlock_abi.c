/*
 * What Landlock can do on the running kernel, from one table indexed by
 * ABI version, and whether a request may run with it.  Pure: the ABI
 * number comes from landlock.c.
 *
 * MUST rules:
 * - Everything the kernel's ABI offers is used; nothing it lacks is asked
 *   for (the kernel would refuse the whole ruleset).
 * - "required" (the default) refuses to run without Landlock; a kernel
 *   with Landlock but an older ABI runs with what it has, and the plan
 *   says what is missing so the launcher can log the downgrade.
 * - "best-effort" runs without Landlock too, and says so.
 * - "off" asks for nothing.
 */
#include <stdio.h>
#include <string.h>

#include "cgibox.h"
#include "landlock_uapi.h"

#define FS_V1	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | \
	LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR | \
	LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE | \
	LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR | \
	LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK | \
	LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK | \
	LANDLOCK_ACCESS_FS_MAKE_SYM)
#define FS_V2	(FS_V1 | LANDLOCK_ACCESS_FS_REFER)
#define FS_V3	(FS_V2 | LANDLOCK_ACCESS_FS_TRUNCATE)
#define FS_V5	(FS_V3 | LANDLOCK_ACCESS_FS_IOCTL_DEV)
#define NET_V4	(LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP)
#define SCOPE_V6	(LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL)

/* Index: ABI version.  Newer kernels get the newest row we know. */
static const struct landlock_abi abi_table[] = {
	[0] = { 0, 0, 0 },
	[1] = { FS_V1, 0, 0 },
	[2] = { FS_V2, 0, 0 },
	[3] = { FS_V3, 0, 0 },
	[4] = { FS_V3, NET_V4, 0 },
	[5] = { FS_V5, NET_V4, 0 },
	[6] = { FS_V5, NET_V4, SCOPE_V6 },
	[7] = { FS_V5, NET_V4, SCOPE_V6 },
};
#define ABI_KNOWN	((int)(sizeof(abi_table) / sizeof(abi_table[0])) - 1)

/* Named features, for the log's list of what a kernel lacks. */
static const struct {
	const char	*name;
	int		 which;		/* 0 fs, 1 net, 2 scoped */
	uint64_t	 bits;
} features[] = {
	{ "refer", 0, LANDLOCK_ACCESS_FS_REFER },
	{ "truncate", 0, LANDLOCK_ACCESS_FS_TRUNCATE },
	{ "net", 1, NET_V4 },
	{ "ioctl", 0, LANDLOCK_ACCESS_FS_IOCTL_DEV },
	{ "scope", 2, SCOPE_V6 },
};

const struct landlock_abi *
landlock_abi(int abi)
{
	if (abi < 0)
		abi = 0;
	if (abi > ABI_KNOWN)
		abi = ABI_KNOWN;
	return &abi_table[abi];
}

int
landlock_abi_known(void)
{
	return ABI_KNOWN;
}

/*
 * The log's landlock= value: "off", "none (unavailable)" for a best-effort
 * run without Landlock (the downgrade is logged), "N", or "N (no ...)".
 */
const char *
landlock_note(enum ll_mode mode, const struct landlock_plan *p, char *buf,
    size_t size)
{
	if (mode == LL_OFF)
		(void)snprintf(buf, size, "off");
	else if (p->abi == 0)
		(void)snprintf(buf, size, "none (unavailable)");
	else if (p->missing[0] != '\0')
		(void)snprintf(buf, size, "%d (no %s)", p->abi, p->missing);
	else
		(void)snprintf(buf, size, "%d", p->abi);
	return buf;
}

/*
 * The plan for mode on a kernel whose ABI is abi (0 or less: no
 * Landlock).  Returns R_ALLOW to run (with p->abi 0 for no Landlock) or
 * R_LANDLOCK to refuse; p->missing names what this kernel lacks.
 */
enum reason
landlock_plan(enum ll_mode mode, int abi, struct landlock_plan *p)
{
	const struct landlock_abi	*a;

	memset(p, 0, sizeof(*p));
	if (mode == LL_OFF)
		return R_ALLOW;
	if (abi < 1) {
		(void)copy_str(p->missing, sizeof(p->missing), "landlock");
		return mode == LL_REQUIRED ? R_LANDLOCK : R_ALLOW;
	}
	p->abi = abi > ABI_KNOWN ? ABI_KNOWN : abi;
	a = landlock_abi(p->abi);
	p->fs = a->fs;
	p->net = a->net;
	p->scoped = a->scoped;
	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
		const struct landlock_abi *best = landlock_abi(ABI_KNOWN);
		uint64_t have = features[i].which == 0 ? a->fs :
		    features[i].which == 1 ? a->net : a->scoped;
		uint64_t want = features[i].which == 0 ? best->fs :
		    features[i].which == 1 ? best->net : best->scoped;

		if ((want & features[i].bits) && !(have & features[i].bits))
			(void)snprintf(p->missing + strlen(p->missing),
			    sizeof(p->missing) - strlen(p->missing), "%s%s",
			    p->missing[0] ? "," : "", features[i].name);
	}
	return R_ALLOW;
}
