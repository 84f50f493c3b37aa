# Host tests of the boot service's pure cores, daemon/boot/boot_render.c,
# daemon/boot/asset_rules.c and daemon/boot/preseed.c, and a fuzzer of
# daemon/lib/http_head.c (its unit tests are in http_test.c).
#
#   make -C daemon/tests -f Makefile.boot          unit test (ASan + UBSan)
#   make -C daemon/tests -f Makefile.boot run      run it, TAP on stdout
#   make -C daemon/tests -f Makefile.boot golden   rewrite golden/ from the code
#   make -C daemon/tests -f Makefile.boot fuzz     libFuzzer target (clang)
#   make -C daemon/tests -f Makefile.boot run-fuzz FUZZ_SECONDS=N

OUT ?= ../../build/host-tests
FUZZ_SECONDS ?= 20
CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror \
	  -fsanitize=address,undefined -fno-sanitize-recover=all

UNIT := boot_render_test asset_rules_test preseed_test
FUZZ := fuzz_boot_render fuzz_asset_rules fuzz_http_head fuzz_preseed
# The renderer takes iSCSI names by the module's own rule.
SRC := ../boot/boot_render.c ../../kmod/iscsi_name.c
DEPS := $(SRC) ../boot/boot_render.h ../../kmod/iscsi_name.h Makefile.boot
ASSET_DEPS := ../boot/asset_rules.c ../boot/asset_rules.h tap.h Makefile.boot
PRESEED_DEPS := ../boot/preseed.c ../boot/preseed.h tap.h Makefile.boot

.PHONY: all fuzz run run-fuzz golden clean
all: $(addprefix $(OUT)/,$(UNIT))
fuzz: $(addprefix $(OUT)/,$(FUZZ))

$(OUT)/boot_render_test: boot_render_test.c $(DEPS)
	@mkdir -p $(OUT)
	$(CC) $(CFLAGS) -o $@ boot_render_test.c $(SRC)

$(OUT)/asset_rules_test: asset_rules_test.c $(ASSET_DEPS)
	@mkdir -p $(OUT)
	$(CC) $(CFLAGS) -o $@ asset_rules_test.c ../boot/asset_rules.c

$(OUT)/fuzz_asset_rules: fuzz_asset_rules.c $(ASSET_DEPS)
	@mkdir -p $(OUT)
	clang -std=gnu11 -g -O1 -Wall -Wextra -Werror \
		-fsanitize=fuzzer,address,undefined -o $@ fuzz_asset_rules.c ../boot/asset_rules.c

$(OUT)/preseed_test: preseed_test.c $(PRESEED_DEPS)
	@mkdir -p $(OUT)
	$(CC) $(CFLAGS) -o $@ preseed_test.c ../boot/preseed.c

$(OUT)/fuzz_preseed: fuzz_preseed.c $(PRESEED_DEPS)
	@mkdir -p $(OUT)
	clang -std=gnu11 -g -O1 -Wall -Wextra -Werror \
		-fsanitize=fuzzer,address,undefined -o $@ fuzz_preseed.c ../boot/preseed.c

$(OUT)/fuzz_http_head: fuzz_http_head.c ../lib/http_head.c ../lib/http_head.h Makefile.boot
	@mkdir -p $(OUT)
	clang -std=gnu11 -g -O1 -Wall -Wextra -Werror \
		-fsanitize=fuzzer,address,undefined -o $@ fuzz_http_head.c ../lib/http_head.c

$(OUT)/fuzz_boot_render: fuzz_boot_render.c $(DEPS)
	@mkdir -p $(OUT)
	clang -std=gnu11 -g -O1 -Wall -Wextra -Werror \
		-fsanitize=fuzzer,address,undefined -o $@ fuzz_boot_render.c $(SRC)

run: all
	@for t in $(UNIT); do $(OUT)/$$t golden || exit 1; done

golden: all
	@BOOT_GOLDEN_UPDATE=1 $(OUT)/boot_render_test golden | grep -c '^ok .*written' | \
		sed 's/$$/ golden files written/'

# The fuzz target is one TAP test: it passes when libFuzzer finds no crash.
run-fuzz: fuzz
	@echo "TAP version 13"; echo "1..$(words $(FUZZ))"; n=0; rc=0; \
	for f in $(FUZZ); do n=$$((n + 1)); \
		if $(OUT)/$$f -max_total_time=$(FUZZ_SECONDS) -max_len=2048 \
			>$(OUT)/$$f.log 2>&1; then \
			echo "ok $$n $$f: no crash in $(FUZZ_SECONDS) s, $$(sed -n 's/^#\([0-9][0-9]*\).*/\1/p' $(OUT)/$$f.log | tail -n 1) inputs"; \
		else sed 's/^/# /' $(OUT)/$$f.log | tail -n 30; \
			echo "not ok $$n $$f (log: $(OUT)/$$f.log)"; rc=1; fi; \
	done; exit $$rc

clean:
	rm -f $(addprefix $(OUT)/,$(UNIT) $(FUZZ) $(FUZZ:=.log))
