#!/usr/bin/perl
# CGI workload in Perl: files, a subprocess, a thread, DNS, TCP.
use strict;
use warnings;
use threads;
use IO::Socket::IP;
$| = 1;
print "Content-Type: text/plain\r\n\r\n";
my ($port) = ($ENV{QUERY_STRING} // '') =~ /port=(\d+)/;
my $f = "$ENV{HOME}/work-pl.txt";
open(my $fh, '>', $f) or die; print $fh "hello\n"; close $fh;
open($fh, '<', $f) or die; my $l = <$fh>; close $fh;
print "file ok\n" if $l eq "hello\n";
my $out = `/usr/bin/env echo ok`; chomp $out;
print "subprocess $out\n";
my $t = threads->create(sub { return 42 });
print "thread ok\n" if $t->join == 42;
print "dns ok\n" if gethostbyname('localhost');
my $s = IO::Socket::IP->new(PeerHost => 'localhost', PeerPort => $port,
    Proto => 'tcp');
if ($s) { my $r = <$s>; chomp $r; print "tcp $r\n" } else { print "tcp failed: $!\n" }
