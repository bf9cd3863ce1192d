# free_port: print a TCP port of 127.0.0.1 nobody listens on (sourced by
# tests/run.sh and tests/cluster/cluster.sh).  Below Linux's ephemeral range
# (32768 and up by default), where the outgoing connections of the tests
# hold ports that accept no connection but cannot be bound either.
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 12768))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
}
