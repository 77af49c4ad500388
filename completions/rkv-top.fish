complete -c rkv-top -s h -d 'Server hostname' -r
complete -c rkv-top -s p -d 'Server port' -r
complete -c rkv-top -s a -d 'Password for AUTH' -r
complete -c rkv-top -l user -d 'Username for AUTH (ACL users)' -r
complete -c rkv-top -s u -d 'Server URI, redis://[USER[:PASSWORD]@]HOST[:PORT][/DB]; repeat to watch several servers (replaces -h and -p)' -r
complete -c rkv-top -l interval -d 'Time between refreshes: a number with ms, s, m or h (bare numbers are seconds)' -r
complete -c rkv-top -l cacert -d 'CA certificate file that signs the server\'s certificate' -r -F
complete -c rkv-top -l cert -d 'Client certificate file, for servers that require one' -r -F
complete -c rkv-top -l key -d 'Private key file for --cert' -r -F
complete -c rkv-top -l sni -d 'Server name to send with TLS SNI' -r
complete -c rkv-top -l cluster -d 'Watch every node of the cluster the given server belongs to (refused until rkv has a cluster mode)'
complete -c rkv-top -l once -d 'Sample every server twice, one --interval apart, print the screen as plain text (or every figure as JSON, with --json) and exit; the exit status is 1 when a server could not be reached'
complete -c rkv-top -l json -d 'Print figures as JSON instead of drawing the dashboard: one line per server per --interval, or one document with --once'
complete -c rkv-top -l help -d 'Print help'
complete -c rkv-top -l tls -d 'Connect over TLS'
complete -c rkv-top -l insecure -d 'Do not verify the server\'s certificate'
complete -c rkv-top -s V -l version -d 'Print version'
