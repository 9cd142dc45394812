# Every target goes through tools/dev.sh; see README.md.
.PHONY: run test upgrade pot lint bench setup
run test upgrade pot lint bench setup:
	@tools/dev.sh $@
