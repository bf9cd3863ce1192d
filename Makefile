# Interlibrary: the two commands (README.md).
#   make run    the whole product with demo data (API :8080, web :8081)
#   make test   every test, ending with "N passed, N failed"

.PHONY: run test build bench

run:
	bash scripts/run.sh

test:
	bash tests/run.sh

build:
	$(MAKE) -C api

bench:
	bash bench/run.sh
