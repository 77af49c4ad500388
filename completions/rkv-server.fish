complete -c rkv-server -s h -l help -d 'Print help'
complete -c rkv-server -s v -l version -d 'Print version'
