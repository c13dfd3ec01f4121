# cgibox: one plain GNU Makefile.  Every knob is documented where it is set;
# override any of them on the command line (make PREFIX=/usr ...).

# Where things are installed.  PREFIX follows the usual convention; the
# configuration lives in SYSCONFDIR (/etc, not $(PREFIX)/etc, because a
# setuid program's policy belongs with the system's).
PREFIX		?= /usr/local
SBINDIR		?= $(PREFIX)/sbin
LIBEXECDIR	?= $(PREFIX)/lib/cgibox
MANDIR		?= $(PREFIX)/share/man
SYSCONFDIR	?= /etc
UNITDIR		?= $(PREFIX)/lib/systemd/system
LOCALSTATEDIR	?= /var
RUNSTATEDIR	?= /run
DESTDIR		?=

# SYSCONFDIR, LOCALSTATEDIR and RUNSTATEDIR (concurrency slots, in
# RUNSTATEDIR/cgibox) are compiled into the launcher: nothing a
# caller passes can point it at another configuration.  A test build sets
# its own (tests/e2e/lib.sh builds one into build/e2e).
CONFIG_PATH	= $(SYSCONFDIR)/cgibox/cgibox.conf
POLICY_DIR	= $(SYSCONFDIR)/cgibox/policies
CACHE_DIR	= $(LOCALSTATEDIR)/cache/cgibox
# Learn mode's records, one root-only file per user (cgibox.conf(5) learn).
LEARN_DIR	= $(LOCALSTATEDIR)/lib/cgibox
RUN_DIR		= $(RUNSTATEDIR)/cgibox
LOG_DEFAULT	= $(LOCALSTATEDIR)/log/cgibox.log

# The group allowed to run the launcher: installed 4750 root:$(CALLER_GROUP).
CALLER_GROUP	?= www-data

# Objects go to BUILDDIR, so builds with different compiled-in paths or
# sanitizers can sit side by side.
BUILDDIR	?= build

CC		?= cc
PKG_CONFIG	?= pkg-config

# Strict by default (STYLE.md): any warning fails the build.
WARNINGS	= -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes \
		  -Wmissing-prototypes -Wswitch-enum -Werror=switch-default \
		  -Wformat-nonliteral -Wcast-qual -Wpointer-arith -Wvla
# Hardening: fortified libc calls, stack protector, PIE, full RELRO.
HARDEN		= -D_FORTIFY_SOURCE=3 -fstack-protector-strong -fPIE \
		  -fstack-clash-protection -fcf-protection
HARDEN_LD	= -pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack
OPT		?= -O2 -g
CFLAGS		?=
LDFLAGS		?=

# STATIC=1 links the launcher and cgibox-check statically (static PIE):
# about 0.2 ms less per request (no dynamic loader, no relocations of
# three libraries in a setuid start) and half the peak memory; see
# tests/bench/RESULTS.md.  Off by default: a static glibc still loads NSS
# modules (LDAP, sssd) dynamically, and those must then come from exactly
# the glibc it was built with, which a distribution package guarantees and
# a hand build may not.
STATIC		?= 0
ifeq ($(STATIC),1)
HARDEN_LD	= -static-pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack
LIBS		= -l:libcap.a -l:libseccomp.a
else
LIBS		= $(shell $(PKG_CONFIG) --libs libcap libseccomp)
endif
PKG_CFLAGS	= $(shell $(PKG_CONFIG) --cflags libcap libseccomp)
ALL_CFLAGS	= -std=c11 -D_GNU_SOURCE $(OPT) $(WARNINGS) $(HARDEN) \
		  $(PKG_CFLAGS) -DCGIBOX_CONFIG='"$(CONFIG_PATH)"' \
		  -DCGIBOX_CONF_DIR='"$(SYSCONFDIR)/cgibox"' \
		  -DCGIBOX_POLICY_DIR='"$(POLICY_DIR)"' \
		  -DCGIBOX_CACHE_DIR='"$(CACHE_DIR)"' \
		  -DCGIBOX_LEARN_DIR='"$(LEARN_DIR)"' \
		  -DCGIBOX_RUN_DIR='"$(RUN_DIR)"' \
		  -DCGIBOX_LOG_DEFAULT='"$(LOG_DEFAULT)"' $(CFLAGS)
ALL_LDFLAGS	= $(HARDEN_LD) $(LDFLAGS)

# The source tree has the shape of the program (README.md, Layout):
# src/core is the one pipeline, src/launcher and src/daemon its two front
# ends, src/check the admin tool, src/man the manual.
vpath %.c src/core src/launcher src/daemon src/check
# Pure modules (no syscalls): linked as they are into unit tests and fuzzers.
PURE		= util conf_parse policy_parse landlock_abi request env logfmt \
		  learn
# Modules that touch the kernel.
CORE		= conf_load target pathcheck decide audit confine execute \
		  settings seccomp landlock sandbox pipeline learn_run
LAUNCHER	= main startup supervise stderr_relay $(PURE) $(CORE)
# The daemon's pure modules (the FastCGI reader, the relay's messages).
DPURE		= fcgi msg
DAEMON		= cgiboxd conn relay $(DPURE) $(PURE) $(CORE)
CHECKTOOL	= check $(PURE) conf_load target pathcheck decide settings seccomp \
		  landlock

UNIT_TESTS	= test_util test_conf test_policy test_landlock test_request test_env \
		  test_logfmt test_reasons test_filter test_fcgi test_learn
PROBES		= probe try fcgi-client

obj		= $(patsubst %,$(BUILDDIR)/%.o,$(1))
HEADERS		= src/core/cgibox.h src/core/reasons.h src/core/landlock_uapi.h \
		  src/daemon/daemon.h

.PHONY: all clean install uninstall check check-run check-unit check-sanitize deps demo \
	unit-tests probes fuzz fuzzers fuzz-replay analyze bench

all: $(BUILDDIR)/cgibox $(BUILDDIR)/cgiboxd $(BUILDDIR)/cgibox-check

$(BUILDDIR)/%.o: %.c $(HEADERS) Makefile | $(BUILDDIR)
	$(CC) $(ALL_CFLAGS) -Isrc/core -c -o $@ $<

$(BUILDDIR):
	mkdir -p $@

$(BUILDDIR)/cgibox: $(call obj,$(LAUNCHER))
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILDDIR)/cgiboxd: $(call obj,$(DAEMON))
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILDDIR)/cgibox-check: $(call obj,$(CHECKTOOL))
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# ---- tests ---------------------------------------------------------------

$(BUILDDIR)/%.o: tests/unit/%.c tests/unit/tap.h $(HEADERS) | $(BUILDDIR)
	$(CC) $(ALL_CFLAGS) -Isrc/core -Isrc/daemon -DMANPAGE='"src/man/cgibox.8"' -c -o $@ $<

$(BUILDDIR)/test_%: $(BUILDDIR)/test_%.o $(call obj,$(PURE))
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^

$(BUILDDIR)/test_fcgi: $(BUILDDIR)/test_fcgi.o $(call obj,$(PURE) $(DPURE))
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^

# The compiled filters, run through a BPF interpreter: needs the compiler.
$(BUILDDIR)/test_filter: $(BUILDDIR)/test_filter.o $(call obj,$(PURE) conf_load seccomp)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILDDIR)/probe: tests/probes/probe.c | $(BUILDDIR)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

# The FastCGI client the daemon's tests and the benchmark use.
$(BUILDDIR)/fcgi-client: tests/fcgi/client.c | $(BUILDDIR)
	$(CC) -std=c11 -O2 -g -Wall -Wextra -Werror -o $@ $<

$(BUILDDIR)/try: tests/probes/try.c | $(BUILDDIR)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< -lpthread

unit-tests: $(patsubst %,$(BUILDDIR)/%,$(UNIT_TESTS))
probes: $(patsubst %,$(BUILDDIR)/%,$(PROBES))

# make check: everything, as root.  It installs the packages it needs,
# then runs the unit tests and the end-to-end suite, which installs the
# real setuid binary and creates its own users under a root-owned tree.
# prove runs each test as an executable and prints the TAP summary.
check: deps
	$(MAKE) check-run

check-run: all unit-tests probes analyze fuzz-replay
	$(MAKE) BUILDDIR=$(BUILDDIR)/asan OPT="$(SANITIZE)" unit-tests
	prove --exec '' $(patsubst %,$(BUILDDIR)/%,$(UNIT_TESTS)) \
	    $(patsubst %,$(BUILDDIR)/asan/%,$(UNIT_TESTS)) tests/e2e/*.t \
	    tests/sanitize/*.t
	@echo "== the end-to-end suite again, launcher built with ASan and UBSan"
	CGIBOX_SANITIZE=1 prove --exec '' tests/e2e/*.t

# The unit tests again under AddressSanitizer and UndefinedBehaviorSanitizer
# (make check runs both builds); tests/sanitize/ runs the launcher itself
# built with them, by root directly (a setuid start disables sanitizers).
SANITIZE	= -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
		  -fno-sanitize-recover=all

# Static analysis, clean or the build fails: cppcheck and gcc -fanalyzer
# over every source file.  A suppression needs a comment saying why.
ANALYZE_DEFS	= -D_GNU_SOURCE -DCGIBOX_CONFIG='"/etc/cgibox/cgibox.conf"' \
		  -DCGIBOX_CONF_DIR='"/etc/cgibox"' \
		  -DCGIBOX_POLICY_DIR='"/etc/cgibox/policies"' \
		  -DCGIBOX_CACHE_DIR='"/var/cache/cgibox"' \
		  -DCGIBOX_LEARN_DIR='"/var/lib/cgibox"' \
		  -DCGIBOX_RUN_DIR='"/run/cgibox"' \
		  -DCGIBOX_LOG_DEFAULT='"/var/log/cgibox.log"'
# clang-tidy: bugprone, cert and clang-analyzer checks, less those that
# only restate style choices: swappable parameters (every syscall wrapper
# has them), cert-err33-c (every ignored result here is cast to void on
# purpose), reserved identifiers (the _GNU_SOURCE feature macros), and the
# insecureAPI buffer check (it wants Annex K functions glibc lacks).
TIDY_CHECKS	= -*,bugprone-*,cert-*,clang-analyzer-*,\
		  -bugprone-easily-swappable-parameters,-cert-err33-c,\
		  -bugprone-reserved-identifier,-cert-dcl37-c,-cert-dcl51-cpp,\
		  -clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling
analyze:
	clang-tidy --quiet --warnings-as-errors='*' --checks='$(TIDY_CHECKS)' \
	    src/*/*.c -- -std=c11 -Isrc/core $(ANALYZE_DEFS) $(PKG_CFLAGS)
	cppcheck --quiet --error-exitcode=1 --inline-suppr \
	    --enable=warning,portability,performance $(ANALYZE_DEFS) \
	    -Isrc/core src/*/*.c tests/probes/*.c
	@mkdir -p $(BUILDDIR)/analyze
	for f in src/*/*.c; do \
	    $(CC) -std=c11 -fanalyzer -O1 $(WARNINGS) -Isrc/core $(ANALYZE_DEFS) \
	        $(PKG_CFLAGS) -c -o $(BUILDDIR)/analyze/$$(basename $$f .c).o \
	        $$f || exit 1; \
	done

# The sanitizer part of make check on its own.
check-sanitize: all probes
	$(MAKE) BUILDDIR=$(BUILDDIR)/asan OPT="$(SANITIZE)" unit-tests
	prove --exec '' $(patsubst %,$(BUILDDIR)/asan/%,$(UNIT_TESTS)) \
	    tests/sanitize/*.t
	CGIBOX_SANITIZE=1 prove --exec '' tests/e2e/*.t

check-unit: unit-tests
	prove --exec '' $(patsubst %,$(BUILDDIR)/%,$(UNIT_TESTS))

# libFuzzer harnesses over every parser (clang).  make fuzz runs each for
# FUZZ_SECONDS from its seed corpus under tests/fuzz/corpus/NAME; findings
# go to $(BUILDDIR)/fuzz/.  make check replays the seed corpora through the
# sanitized harnesses (fuzz-replay), so every committed input stays a test.
FUZZ_SECONDS	?= 60
FUZZERS		= fuzz_conf fuzz_policy fuzz_request fuzz_env fuzz_log fuzz_fcgi \
		  fuzz_learn
FUZZ_CC		?= clang
FUZZ_CFLAGS	= -std=c11 -D_GNU_SOURCE -g -O1 -Isrc/core -Isrc/daemon \
		  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		  -DCGIBOX_CONFIG='"/nonexistent"' -DCGIBOX_LOG_DEFAULT='"/nonexistent"' \
		  -DCGIBOX_POLICY_DIR='"/nonexistent"' -DCGIBOX_CACHE_DIR='"/nonexistent"'
FUZZ_SRC	= $(patsubst %,src/core/%.c,$(PURE)) \
		  $(patsubst %,src/daemon/%.c,$(DPURE))

$(BUILDDIR)/fuzz/%: tests/fuzz/%.c $(FUZZ_SRC) $(HEADERS)
	@mkdir -p $(BUILDDIR)/fuzz
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_SRC)

fuzzers: $(patsubst %,$(BUILDDIR)/fuzz/%,$(FUZZERS))

fuzz: fuzzers
	set -e; for f in $(FUZZERS); do \
	    n=$${f#fuzz_}; mkdir -p $(BUILDDIR)/fuzz/corpus-$$n; \
	    $(BUILDDIR)/fuzz/$$f -max_total_time=$(FUZZ_SECONDS) \
	        -artifact_prefix=$(BUILDDIR)/fuzz/$$n- \
	        $(BUILDDIR)/fuzz/corpus-$$n tests/fuzz/corpus/$$n; \
	done

fuzz-replay: fuzzers
	set -e; for f in $(FUZZERS); do \
	    $(BUILDDIR)/fuzz/$$f -runs=0 tests/fuzz/corpus/$${f#fuzz_}; \
	done

# make bench: cost figures measured side by side (never thresholds in tests).
$(BUILDDIR)/policy_cost: tests/bench/policy_cost.c $(call obj,$(PURE) conf_load seccomp landlock pathcheck)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -Isrc/core -o $@ $^ $(LIBS)

$(BUILDDIR)/launch_time: tests/bench/launch_time.c | $(BUILDDIR)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

$(BUILDDIR)/hello: tests/bench/hello.c | $(BUILDDIR)
	$(CC) -O2 -static -o $@ $<

$(BUILDDIR)/hop: tests/bench/hop.c | $(BUILDDIR)
	$(CC) -O2 -static -o $@ $<

# The same hop on musl: an exec without glibc's start-up, to show how much
# of the hop's cost that start-up is.
$(BUILDDIR)/hop-musl: tests/bench/hop.c | $(BUILDDIR)
	musl-gcc -O2 -static -o $@ $<

$(BUILDDIR)/cpuid_cost: tests/bench/cpuid_cost.c | $(BUILDDIR)
	$(CC) -O2 -o $@ $<

# Preloaded into Apache's suexec for its instruction count (instr.sh).
$(BUILDDIR)/fakeuid.so: tests/bench/fakeuid.c | $(BUILDDIR)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 $(WARNINGS) -shared -fPIC -o $@ $<

# Installs Apache, its own suexec (apache2-suexec-pristine) and wrk to
# compare with, valgrind to count instructions and musl-tools for the musl
# hop; Apache is started on 127.0.0.1 and stopped again.
bench: deps
	dpkg-query -W -f='$${Status}' apache2-suexec-pristine 2>/dev/null | \
	    grep -q 'ok installed' && command -v wrk >/dev/null && \
	    command -v valgrind >/dev/null && command -v musl-gcc >/dev/null || \
	    { apt-get update -q && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -q apache2 apache2-suexec-pristine wrk curl \
	    valgrind musl-tools; }
	$(MAKE) $(BUILDDIR)/policy_cost $(BUILDDIR)/launch_time \
	    $(BUILDDIR)/hello $(BUILDDIR)/hop $(BUILDDIR)/hop-musl \
	    $(BUILDDIR)/fakeuid.so $(BUILDDIR)/cpuid_cost
	bash tests/bench/run.sh

# Debian packages for building, testing and the demo (installed only when
# missing; needs root).
deps:
	sh contrib/install-deps.sh

demo: deps
	$(MAKE) all
	bash contrib/demo.sh

# Stops the demo's Apache, puts /usr/lib/apache2/suexec back as it was and
# removes the demo's users and its tree under /srv/cgibox-demo.
.PHONY: demo-stop
demo-stop:
	bash contrib/demo.sh stop

# ---- install ---------------------------------------------------------------

install: all
	install -d -m 0755 $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(SBINDIR) \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(SYSCONFDIR)/cgibox
	install -m 4750 -o root -g $(CALLER_GROUP) $(BUILDDIR)/cgibox \
	    $(DESTDIR)$(LIBEXECDIR)/cgibox
	install -m 0755 $(BUILDDIR)/cgibox-check $(DESTDIR)$(SBINDIR)/cgibox-check
	install -m 0755 $(BUILDDIR)/cgiboxd $(DESTDIR)$(SBINDIR)/cgiboxd
	install -m 0644 src/man/cgibox.8 src/man/cgibox-check.8 \
	    src/man/cgiboxd.8 $(DESTDIR)$(MANDIR)/man8/
	install -d -m 0755 $(DESTDIR)$(UNITDIR)
	sed 's|/usr/local/sbin/cgiboxd|$(SBINDIR)/cgiboxd|' \
	    contrib/cgiboxd/cgiboxd.service > $(DESTDIR)$(UNITDIR)/cgiboxd.service
	sed 's|/run/cgibox/|$(RUN_DIR)/|; s|=www-data|=$(CALLER_GROUP)|' \
	    contrib/cgiboxd/cgiboxd.socket > $(DESTDIR)$(UNITDIR)/cgiboxd.socket
	chmod 0644 $(DESTDIR)$(UNITDIR)/cgiboxd.service \
	    $(DESTDIR)$(UNITDIR)/cgiboxd.socket
	install -m 0644 src/man/cgibox.conf.5 src/man/cgibox-policy.5 \
	    $(DESTDIR)$(MANDIR)/man5/
	install -d -m 0755 $(DESTDIR)$(POLICY_DIR)
	install -m 0644 -o root -g root policies/*.policy $(DESTDIR)$(POLICY_DIR)/
	install -d -m 0700 -o root -g root $(DESTDIR)$(CACHE_DIR)
	test -e $(DESTDIR)$(CONFIG_PATH) || \
	    install -m 0644 -o root -g root contrib/cgibox.conf \
	    $(DESTDIR)$(CONFIG_PATH)

uninstall:
	rm -f $(DESTDIR)$(LIBEXECDIR)/cgibox $(DESTDIR)$(SBINDIR)/cgibox-check \
	    $(DESTDIR)$(SBINDIR)/cgiboxd $(DESTDIR)$(MANDIR)/man8/cgiboxd.8 \
	    $(DESTDIR)$(UNITDIR)/cgiboxd.service \
	    $(DESTDIR)$(UNITDIR)/cgiboxd.socket \
	    $(DESTDIR)$(MANDIR)/man8/cgibox.8 \
	    $(DESTDIR)$(MANDIR)/man8/cgibox-check.8 \
	    $(DESTDIR)$(MANDIR)/man5/cgibox.conf.5 \
	    $(DESTDIR)$(MANDIR)/man5/cgibox-policy.5
	rm -rf $(DESTDIR)$(CACHE_DIR)
	@echo "left in place: $(DESTDIR)$(SYSCONFDIR)/cgibox (configuration and policies)"

# ---- Debian package --------------------------------------------------------

# make deb: a binary package from contrib/debian, left in $(BUILDDIR)/deb/.
# dpkg-buildpackage wants debian/ at the top of the source tree, so the
# files git knows of (tracked, and new ones not ignored) are staged with
# contrib/debian as debian/ in $(BUILDDIR)/deb/cgibox-VERSION; nothing is
# written outside $(BUILDDIR).  The version comes from src/core/cgibox.h and
# must match the changelog's.  Needs git, dpkg-dev and debhelper (make
# deps), and root or fakeroot.  The make variables of this call are not
# passed on: the package is built with Debian's paths (debian/rules).
PKG_VERSION	= $(shell sed -n 's/.*CGIBOX_VERSION[[:space:]]*"\([^"]*\)".*/\1/p' src/core/cgibox.h)
DEB_STAGE	= $(BUILDDIR)/deb/cgibox-$(PKG_VERSION)

.PHONY: deb
deb:
	@v=$$(dpkg-parsechangelog -l contrib/debian/changelog -S Version) && \
	    test -n "$(PKG_VERSION)" && test "$${v%-*}" = "$(PKG_VERSION)" || \
	    { echo "contrib/debian/changelog: version $$v does not match" \
	    "src/core/cgibox.h ($(PKG_VERSION))" >&2; exit 1; }
	rm -rf $(BUILDDIR)/deb
	mkdir -p $(DEB_STAGE)
	git ls-files -z --cached --others --exclude-standard \
	    >$(BUILDDIR)/deb/files
	tar --null --ignore-failed-read -T $(BUILDDIR)/deb/files \
	    -cf $(BUILDDIR)/deb/source.tar
	tar -xf $(BUILDDIR)/deb/source.tar -C $(DEB_STAGE)
	rm -rf $(DEB_STAGE)/debian $(BUILDDIR)/deb/files $(BUILDDIR)/deb/source.tar
	cp -R contrib/debian $(DEB_STAGE)/debian
	cd $(DEB_STAGE) && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	    dpkg-buildpackage -us -uc -b

clean:
	rm -rf build
.SECONDARY:
