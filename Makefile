# Every target goes through tools/dev.sh; see README.md.
.PHONY: run test upgrade pot lint bench bench-scale wheel setup
run test upgrade pot lint bench wheel setup:
	@tools/dev.sh $@
bench-scale:
	@tools/dev.sh bench --scale
