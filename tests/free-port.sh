# free_port: print a TCP port of 127.0.0.1 nobody listens on (sourced by
# tests/run.sh, tests/cluster/cluster.sh and tests/make-run.sh, whose
# free_port draws from port_candidate too).  Below Linux's ephemeral range
# (32768 and up by default), where the outgoing connections of the tests
# hold ports that accept no connection but cannot be bound either.
port_candidate() { echo $((20000 + RANDOM % 12768)); }

free_port() {
	local p
	while :; do
		p=$(port_candidate)
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
}
