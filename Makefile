.PHONY: help run test lint format messages ci
help:            ## list the common tasks
	@grep -E '^[a-z]+:.*## ' Makefile | sed 's/:.*## /\t/'
run:             ## install and serve the portal with demo data at http://127.0.0.1:8000/
	bin/run
test:            ## install and run the test suite (SQLite, no services)
	bin/test
lint:            ## ruff lint and format check
	.venv/bin/ruff check . && .venv/bin/ruff format --check .
format:          ## ruff format and autofix
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .
messages:        ## extract messages into locale/zh_Hans and compile them (translate new ones in the .po)
	.venv/bin/python manage.py makemessages -l zh_Hans --ignore ".venv/*" --ignore "tests/*" --no-location
	.venv/bin/python bin/translate-fill
ci:              ## what CI runs: tests on SQLite, lint, tests on PostgreSQL + Redis, run smoke test
	bash .ci/run
