# Every target goes through tools/dev.sh; see README.md.
.PHONY: run test test-fast upgrade upgrade-check pot lint bench bench-scale wheel wheel-check setup
run upgrade upgrade-check pot lint bench wheel wheel-check setup:
	@tools/dev.sh $@
# The tests, the upgrade from the previous release, the app installed from its wheel (CI runs `make test`).
test:
	@tools/dev.sh test
	@tools/dev.sh upgrade-check
	@tools/dev.sh wheel-check
# The tests without those tagged cr_slow (commits, volume): for a developer between changes.
test-fast:
	@tools/dev.sh test-fast
bench-scale:
	@tools/dev.sh bench --scale
