# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_rkv_rdb_global_optspecs
    string join \n h/help V/version
end

function __fish_rkv_rdb_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_rkv_rdb_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_rkv_rdb_using_subcommand
    set -l cmd (__fish_rkv_rdb_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c rkv-rdb -n "__fish_rkv_rdb_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rkv-rdb -n "__fish_rkv_rdb_needs_command" -s V -l version -d 'Print version'
complete -c rkv-rdb -n "__fish_rkv_rdb_needs_command" -f -a "check" -d 'Verify an RDB file\'s structure and checksum, like redis-check-rdb'
complete -c rkv-rdb -n "__fish_rkv_rdb_needs_command" -f -a "dump" -d 'Print the keys and values of an RDB file'
complete -c rkv-rdb -n "__fish_rkv_rdb_needs_command" -f -a "convert" -d 'Convert between RDB, JSON and AOF'
complete -c rkv-rdb -n "__fish_rkv_rdb_needs_command" -f -a "analyze" -d 'Report memory use by key, type and key prefix'
complete -c rkv-rdb -n "__fish_rkv_rdb_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rkv-rdb -n "__fish_rkv_rdb_using_subcommand check" -s h -l help -d 'Print help'
complete -c rkv-rdb -n "__fish_rkv_rdb_using_subcommand check" -s V -l version -d 'Print version'
complete -c rkv-rdb -n "__fish_rkv_rdb_using_subcommand dump" -l format -d 'Output format' -r -f -a "json\t'JSON Lines: one object per key (and per auxiliary field and function)'
resp\t'RESP-encoded commands that recreate the keys (expiries as PEXPIREAT), ready for `redis-cli --pipe`'
commands\t'Human-readable commands that recreate the keys, one per line'"
complete -c rkv-rdb -n "__fish_rkv_rdb_using_subcommand dump" -l db -d 'Only keys of this database' -r
complete -c rkv-rdb -n "__fish_rkv_rdb_using_subcommand dump" -l type -d 'Only keys of this type' -r -f -a "string\t'Strings, integers included'
list\t'Lists'
set\t'Sets'
zset\t'Sorted sets'
hash\t'Hashes'
stream\t'Streams'"
complete -c rkv-rdb -n "__fish_rkv_rdb_using_subcommand dump" -l key -d 'Only keys whose name matches this regular expression' -r
complete -c rkv-rdb -n "__fish_rkv_rdb_using_subcommand dump" -l limit -d 'Stop after this many keys' -r
complete -c rkv-rdb -n "__fish_rkv_rdb_using_subcommand dump" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rkv-rdb -n "__fish_rkv_rdb_using_subcommand dump" -s V -l version -d 'Print version'
complete -c rkv-rdb -n "__fish_rkv_rdb_using_subcommand convert" -l from -d 'Format of IN; when omitted, taken from its extension' -r -f -a "rdb\t'RDB snapshot'
json\t'JSON Lines, as printed by `rkv-rdb dump --format json`'
aof\t'Append-only file of RESP commands (written only)'"
complete -c rkv-rdb -n "__fish_rkv_rdb_using_subcommand convert" -l to -d 'Format of OUT; when omitted, taken from its extension' -r -f -a "rdb\t'RDB snapshot'
json\t'JSON Lines, as printed by `rkv-rdb dump --format json`'
aof\t'Append-only file of RESP commands (written only)'"
complete -c rkv-rdb -n "__fish_rkv_rdb_using_subcommand convert" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rkv-rdb -n "__fish_rkv_rdb_using_subcommand convert" -s V -l version -d 'Print version'
complete -c rkv-rdb -n "__fish_rkv_rdb_using_subcommand analyze" -l top -d 'How many of the biggest keys and prefixes to list' -r
complete -c rkv-rdb -n "__fish_rkv_rdb_using_subcommand analyze" -l prefix-depth -d 'How many \':\'-separated segments of a key name form its prefix' -r
complete -c rkv-rdb -n "__fish_rkv_rdb_using_subcommand analyze" -l csv -d 'Also write one CSV row per key to FILE (\'-\' for standard output)' -r -F
complete -c rkv-rdb -n "__fish_rkv_rdb_using_subcommand analyze" -l html -d 'Also write the report as an HTML page to FILE' -r -F
complete -c rkv-rdb -n "__fish_rkv_rdb_using_subcommand analyze" -l json -d 'Print the report as JSON instead of text'
complete -c rkv-rdb -n "__fish_rkv_rdb_using_subcommand analyze" -s h -l help -d 'Print help'
complete -c rkv-rdb -n "__fish_rkv_rdb_using_subcommand analyze" -s V -l version -d 'Print version'
complete -c rkv-rdb -n "__fish_rkv_rdb_using_subcommand help; and not __fish_seen_subcommand_from check dump convert analyze help" -f -a "check" -d 'Verify an RDB file\'s structure and checksum, like redis-check-rdb'
complete -c rkv-rdb -n "__fish_rkv_rdb_using_subcommand help; and not __fish_seen_subcommand_from check dump convert analyze help" -f -a "dump" -d 'Print the keys and values of an RDB file'
complete -c rkv-rdb -n "__fish_rkv_rdb_using_subcommand help; and not __fish_seen_subcommand_from check dump convert analyze help" -f -a "convert" -d 'Convert between RDB, JSON and AOF'
complete -c rkv-rdb -n "__fish_rkv_rdb_using_subcommand help; and not __fish_seen_subcommand_from check dump convert analyze help" -f -a "analyze" -d 'Report memory use by key, type and key prefix'
complete -c rkv-rdb -n "__fish_rkv_rdb_using_subcommand help; and not __fish_seen_subcommand_from check dump convert analyze help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
