#!/usr/bin/php-cgi
<?php
// CGI workload in PHP (php-cgi): files, a subprocess, DNS, TCP.
header("Content-Type: text/plain");
parse_str(getenv("QUERY_STRING") ?: "", $q);
$f = getenv("HOME") . "/work-php.txt";
file_put_contents($f, "hello\n");
if (file_get_contents($f) === "hello\n") echo "file ok\n";
echo "subprocess " . trim(shell_exec("/usr/bin/env echo ok")) . "\n";
if (gethostbyname("localhost") === "127.0.0.1") echo "dns ok\n";
$s = @fsockopen("localhost", (int)$q["port"], $errno, $errstr, 5);
if ($s) { echo "tcp " . trim(fgets($s)) . "\n"; } else { echo "tcp failed: $errstr\n"; }
