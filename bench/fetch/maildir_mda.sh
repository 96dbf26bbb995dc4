#!/bin/sh
# The MDA of the fetchmail rows of bench/fetch/run.py: one message on
# standard input into the Maildir $1 the usual way (write tmp/, then rename
# into new/; no fsync). Names: <seconds>.P<pid>.<host>, unique while PIDs
# do not repeat within a second. Exit 75 (EX_TEMPFAIL) when it cannot.
#   fetchmail ... mda "/bin/sh bench/fetch/maildir_mda.sh /path/to/Maildir"
set -u
dir=$1
name=$(date +%s).P$$.fetchmail
cat > "$dir/tmp/$name" || exit 75
mv "$dir/tmp/$name" "$dir/new/$name" || exit 75
