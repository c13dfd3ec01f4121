/* The Landlock ABI table and the required/best-effort/off decision. */
#include "cgibox.h"
#include "landlock_uapi.h"
#include "tap.h"

static const struct {
	enum ll_mode	 mode;
	int		 abi;
	enum reason	 want;
	int		 want_abi;
	const char	*missing;
} plans[] = {
	{ LL_REQUIRED, 7, R_ALLOW, 7, "" },
	{ LL_REQUIRED, 9, R_ALLOW, 7, "" },		/* newer: what we know */
	{ LL_REQUIRED, 6, R_ALLOW, 6, "" },
	{ LL_REQUIRED, 4, R_ALLOW, 4, "ioctl,scope" },
	{ LL_REQUIRED, 2, R_ALLOW, 2, "truncate,net,ioctl,scope" },	/* Debian 12 */
	{ LL_REQUIRED, 1, R_ALLOW, 1, "refer,truncate,net,ioctl,scope" },
	{ LL_REQUIRED, 0, R_LANDLOCK, 0, "landlock" },	/* refuses */
	{ LL_REQUIRED, -1, R_LANDLOCK, 0, "landlock" },
	{ LL_BEST_EFFORT, 0, R_ALLOW, 0, "landlock" },	/* runs, says so */
	{ LL_BEST_EFFORT, 3, R_ALLOW, 3, "net,ioctl,scope" },
	{ LL_BEST_EFFORT, 7, R_ALLOW, 7, "" },
	{ LL_OFF, 7, R_ALLOW, 0, "" },
	{ LL_OFF, 0, R_ALLOW, 0, "" },
};

int
main(void)
{
	const struct landlock_abi	*a;
	struct landlock_plan		 p;

	for (size_t i = 0; i < sizeof(plans) / sizeof(plans[0]); i++) {
		enum reason r = landlock_plan(plans[i].mode, plans[i].abi, &p);

		ok(r == plans[i].want && p.abi == plans[i].want_abi &&
		    strcmp(p.missing, plans[i].missing) == 0,
		    "mode %d on ABI %d: %s, uses ABI %d, missing '%s'",
		    plans[i].mode, plans[i].abi, reason_table[plans[i].want].name,
		    plans[i].want_abi, plans[i].missing);
	}
	is_long(landlock_abi(0)->fs, 0, "ABI 0 handles nothing");
	a = landlock_abi(1);
	ok(a->fs != 0 && !(a->fs & LANDLOCK_ACCESS_FS_REFER) && a->net == 0,
	    "ABI 1: filesystem rights without REFER, no network");
	ok(landlock_abi(2)->fs & LANDLOCK_ACCESS_FS_REFER, "ABI 2 adds REFER");
	ok(landlock_abi(3)->fs & LANDLOCK_ACCESS_FS_TRUNCATE,
	    "ABI 3 adds TRUNCATE");
	ok(landlock_abi(4)->net == (LANDLOCK_ACCESS_NET_BIND_TCP |
	    LANDLOCK_ACCESS_NET_CONNECT_TCP), "ABI 4 adds TCP bind and connect");
	ok(landlock_abi(5)->fs & LANDLOCK_ACCESS_FS_IOCTL_DEV,
	    "ABI 5 adds IOCTL_DEV");
	ok(landlock_abi(6)->scoped == (LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET |
	    LANDLOCK_SCOPE_SIGNAL), "ABI 6 adds scoping");
	for (int v = 2; v <= landlock_abi_known(); v++)
		ok((landlock_abi(v)->fs & landlock_abi(v - 1)->fs) ==
		    landlock_abi(v - 1)->fs && (landlock_abi(v)->net &
		    landlock_abi(v - 1)->net) == landlock_abi(v - 1)->net,
		    "ABI %d keeps everything of ABI %d", v, v - 1);
	ok(landlock_abi(1000) == landlock_abi(landlock_abi_known()),
	    "a future ABI maps to the newest known row");
	{
		char	buf[96];

		(void)landlock_plan(LL_REQUIRED, 7, &p);
		is_str(landlock_note(LL_REQUIRED, &p, buf, sizeof(buf)), "7",
		    "log note: full ABI");
		(void)landlock_plan(LL_REQUIRED, 2, &p);
		is_str(landlock_note(LL_REQUIRED, &p, buf, sizeof(buf)),
		    "2 (no truncate,net,ioctl,scope)", "log note: a downgrade");
		(void)landlock_plan(LL_BEST_EFFORT, 0, &p);
		is_str(landlock_note(LL_BEST_EFFORT, &p, buf, sizeof(buf)),
		    "none (unavailable)", "log note: best-effort without Landlock");
		(void)landlock_plan(LL_OFF, 7, &p);
		is_str(landlock_note(LL_OFF, &p, buf, sizeof(buf)), "off",
		    "log note: off");
	}
	return done_testing();
}
