# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_rkv_aof_global_optspecs
    string join \n fix= h/help V/version
end

function __fish_rkv_aof_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_rkv_aof_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_rkv_aof_using_subcommand
    set -l cmd (__fish_rkv_aof_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c rkv-aof -n "__fish_rkv_aof_needs_command" -l fix -d 'Same as `fix PATH`, for habits formed with redis-check-aof' -r -F
complete -c rkv-aof -n "__fish_rkv_aof_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rkv-aof -n "__fish_rkv_aof_needs_command" -s V -l version -d 'Print version'
complete -c rkv-aof -n "__fish_rkv_aof_needs_command" -f -a "check" -d 'Verify that every command in the AOF is complete and well formed'
complete -c rkv-aof -n "__fish_rkv_aof_needs_command" -f -a "fix" -d 'Repair a damaged AOF by truncating it (asks first unless --yes)'
complete -c rkv-aof -n "__fish_rkv_aof_needs_command" -f -a "stats" -d 'Count commands by name and by database, and report the file sizes'
complete -c rkv-aof -n "__fish_rkv_aof_needs_command" -f -a "to-rdb" -d 'Replay the AOF and write the resulting dataset as an RDB file'
complete -c rkv-aof -n "__fish_rkv_aof_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rkv-aof -n "__fish_rkv_aof_using_subcommand check" -s h -l help -d 'Print help'
complete -c rkv-aof -n "__fish_rkv_aof_using_subcommand check" -s V -l version -d 'Print version'
complete -c rkv-aof -n "__fish_rkv_aof_using_subcommand fix" -l truncate-to-timestamp -d 'Truncate before the first command annotated with a later Unix time (needs aof-timestamp-enabled); a point-in-time recovery' -r
complete -c rkv-aof -n "__fish_rkv_aof_using_subcommand fix" -s y -l yes -d 'Do not ask for confirmation before truncating'
complete -c rkv-aof -n "__fish_rkv_aof_using_subcommand fix" -l truncate-to-valid -d 'Also cut at damage in the middle of the last file, not only a torn tail: keeps what precedes the damage and loses everything after it'
complete -c rkv-aof -n "__fish_rkv_aof_using_subcommand fix" -s h -l help -d 'Print help'
complete -c rkv-aof -n "__fish_rkv_aof_using_subcommand fix" -s V -l version -d 'Print version'
complete -c rkv-aof -n "__fish_rkv_aof_using_subcommand stats" -s h -l help -d 'Print help'
complete -c rkv-aof -n "__fish_rkv_aof_using_subcommand stats" -s V -l version -d 'Print version'
complete -c rkv-aof -n "__fish_rkv_aof_using_subcommand to-rdb" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rkv-aof -n "__fish_rkv_aof_using_subcommand to-rdb" -s V -l version -d 'Print version'
complete -c rkv-aof -n "__fish_rkv_aof_using_subcommand help; and not __fish_seen_subcommand_from check fix stats to-rdb help" -f -a "check" -d 'Verify that every command in the AOF is complete and well formed'
complete -c rkv-aof -n "__fish_rkv_aof_using_subcommand help; and not __fish_seen_subcommand_from check fix stats to-rdb help" -f -a "fix" -d 'Repair a damaged AOF by truncating it (asks first unless --yes)'
complete -c rkv-aof -n "__fish_rkv_aof_using_subcommand help; and not __fish_seen_subcommand_from check fix stats to-rdb help" -f -a "stats" -d 'Count commands by name and by database, and report the file sizes'
complete -c rkv-aof -n "__fish_rkv_aof_using_subcommand help; and not __fish_seen_subcommand_from check fix stats to-rdb help" -f -a "to-rdb" -d 'Replay the AOF and write the resulting dataset as an RDB file'
complete -c rkv-aof -n "__fish_rkv_aof_using_subcommand help; and not __fish_seen_subcommand_from check fix stats to-rdb help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
