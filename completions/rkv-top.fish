complete -c rkv-top -s h -d 'Server hostname' -r
complete -c rkv-top -s p -d 'Server port' -r
complete -c rkv-top -s a -d 'Password for AUTH' -r
complete -c rkv-top -l user -d 'Username for AUTH (ACL users)' -r
complete -c rkv-top -s u -d 'Server URI, redis://[USER[:PASSWORD]@]HOST[:PORT][/DB]; repeat to watch several servers (replaces -h and -p)' -r
complete -c rkv-top -l interval -d 'Time between refreshes: a number with ms, s, m or h (bare numbers are seconds)' -r
complete -c rkv-top -l cacert -d 'CA certificate file that signs the servers\' certificates' -r -F
complete -c rkv-top -l cert -d 'Client certificate file, for servers that require one' -r -F
complete -c rkv-top -l key -d 'Private key file for --cert' -r -F
complete -c rkv-top -l cluster -d 'Watch every node of the cluster the given server belongs to'
complete -c rkv-top -l once -d 'Print one snapshot and exit instead of running the dashboard'
complete -c rkv-top -l json -d 'Print snapshots as JSON lines instead of drawing the dashboard'
complete -c rkv-top -l tls -d 'Connect over TLS'
complete -c rkv-top -l insecure -d 'Do not verify the servers\' certificates'
complete -c rkv-top -l help -d 'Print help'
complete -c rkv-top -s V -l version -d 'Print version'
