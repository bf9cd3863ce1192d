# free_port: print a TCP port of 127.0.0.1 nobody listens on (sourced by
# tests/run.sh and tests/cluster/cluster.sh).
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 30000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
}
