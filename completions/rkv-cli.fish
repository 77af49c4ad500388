complete -c rkv-cli -s h -d 'Server hostname' -r
complete -c rkv-cli -s p -d 'Server port' -r
complete -c rkv-cli -s s -d 'Server Unix socket (overrides -h and -p)' -r -F
complete -c rkv-cli -s a -l pass -d 'Password for AUTH. Prefer the RKVCLI_AUTH environment variable, which does not show up in the process list' -r
complete -c rkv-cli -l user -d 'Username for AUTH (ACL users); needs a password too' -r
complete -c rkv-cli -s n -d 'Database number to SELECT' -r
complete -c rkv-cli -s u -d 'Server URI, redis://[USER[:PASSWORD]@]HOST[:PORT][/DB]; rediss:// turns on TLS' -r
complete -c rkv-cli -l cacert -d 'CA certificate file that signs the server\'s certificate' -r -F
complete -c rkv-cli -l cert -d 'Client certificate file, for servers that require one' -r -F
complete -c rkv-cli -l key -d 'Private key file for --cert' -r -F
complete -c rkv-cli -l sni -d 'Server name to send with TLS SNI' -r
complete -c rkv-cli -s d -d 'Separator between the elements of an aggregate reply in raw output' -r
complete -c rkv-cli -s D -d 'Separator printed after each reply in raw output' -r
complete -c rkv-cli -l show-pushes -d 'Whether to print RESP3 push messages: y(es) or n(o); by default only on a terminal' -r
complete -c rkv-cli -l eval -d 'Run the Lua script in FILE with EVAL; COMMAND holds the keys, then a lone comma, then the arguments' -r -F
complete -c rkv-cli -l intrinsic-latency -d 'Measure the latency this machine itself adds, for SECONDS; no server is needed' -r
complete -c rkv-cli -l pipe-timeout -d 'Give up --pipe after this many seconds without replies (0 waits forever)' -r
complete -c rkv-cli -l rdb -d 'Transfer an RDB snapshot from the server into FILE (\'-\' for standard output)' -r -F
complete -c rkv-cli -l functions-rdb -d 'Transfer only the functions of the server\'s RDB snapshot into FILE (\'-\' for standard output)' -r -F
complete -c rkv-cli -l pattern -d 'Only keys matching this glob-style pattern' -r
complete -c rkv-cli -l count -d 'COUNT hint for each SCAN call' -r
complete -c rkv-cli -l type -d 'Only keys of this type (string, list, set, zset, hash, stream, ...)' -r
complete -c rkv-cli -l memkeys-samples -d 'How many elements to sample per key for --memkeys (0 samples all)' -r
complete -c rkv-cli -l top -d 'How many of the biggest keys --keystats lists (default 10; --bigkeys and --memkeys report the biggest key of each type, as redis-cli 7.0)' -r
complete -c rkv-cli -s X -d 'Replace the argument of COMMAND equal to TAG with standard input' -r
complete -c rkv-cli -s r -d 'Run COMMAND this many times (-1 repeats forever)' -r
complete -c rkv-cli -s i -d 'Wait this many seconds between repetitions of -r, or between samples of --stat, --latency-history and --latency-dist (fractions allowed)' -r
complete -c rkv-cli -l askpass -d 'Read the password from standard input without echo (overrides -a)'
complete -c rkv-cli -s 3 -d 'Speak RESP3 (HELLO 3) instead of RESP2'
complete -c rkv-cli -s 2 -d 'Stay on RESP2, even with --json or --quoted-json'
complete -c rkv-cli -l no-auth-warning -d 'Do not warn that a password given with -a may be visible in the process list'
complete -c rkv-cli -l tls -d 'Connect over TLS'
complete -c rkv-cli -l insecure -d 'Do not verify the server\'s certificate'
complete -c rkv-cli -l raw -d 'Print replies raw, even on a terminal'
complete -c rkv-cli -l no-raw -d 'Format replies for humans, even when piped'
complete -c rkv-cli -l csv -d 'Print replies as CSV'
complete -c rkv-cli -l json -d 'Print replies as JSON'
complete -c rkv-cli -l quoted-json -d 'Print replies as JSON with non-printable bytes escaped as ASCII'
complete -c rkv-cli -l stat -d 'Print a rolling line of server statistics (memory, clients, ...)'
complete -c rkv-cli -l bigkeys -d 'Sample the keyspace for the keys with the most elements'
complete -c rkv-cli -l memkeys -d 'Sample the keyspace for the keys using the most memory'
complete -c rkv-cli -l keystats -d 'Sample the keyspace for key-size and memory statistics'
complete -c rkv-cli -l scan -d 'List keys with SCAN, one per line'
complete -c rkv-cli -l latency -d 'Continuously measure and print the server\'s latency'
complete -c rkv-cli -l latency-history -d 'Like --latency, printing a new line every -i seconds (default 15)'
complete -c rkv-cli -l latency-dist -d 'Print the latency spectrum as a colour chart'
complete -c rkv-cli -l pipe -d 'Send raw RESP from standard input to the server (mass insertion)'
complete -c rkv-cli -l replica -l slave -d 'Act as a replica and print the commands the primary propagates'
complete -c rkv-cli -s x -d 'Read the last argument of COMMAND from standard input'
complete -c rkv-cli -s e -d 'Exit with a non-zero status when a command replies with an error'
complete -c rkv-cli -l verbose -d 'Print more about what the client is doing (connections, redirects)'
complete -c rkv-cli -l help -d 'Print help'
complete -c rkv-cli -s v -l version -d 'Print version'
