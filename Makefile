# parkbrain: the two commands a fresh machine needs are `make run` and `make test`.
# Plain GNU make (docs/decisions/0001-build.md): one flat object list, a static library that
# the binary, the unit tests and the fuzz targets all link, and an ASan+UBSan twin in build/asan.

CC      ?= cc
BUILD   ?= build
JOBS    ?= 2

WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wformat=2 -Wno-unused-parameter \
           -Wno-missing-field-initializers
HARDEN  := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
CFLAGS  ?= -O2 -g
ifeq ($(CI),true)
WERROR  := -Werror
endif
PKGS    := libmicrohttpd sqlite3 libpq jansson libsodium xlsxwriter zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(WERROR) $(HARDEN) $(CFLAGS) $(PKG_CFLAGS) -Isrc -I$(BUILD)/gen
LDFLAGS_ALL = -pie -Wl,-z,relro,-z,now $(LDFLAGS)
LIBS    := $(PKG_LIBS) -lpthread -lm

# The core, every module folder (src/modules/<name>/, nested folders too) and the CLI.
LIB_SRC := $(sort $(shell find src/core src/modules src/cli -name '*.c'))
LIB_SRC := $(filter-out src/cli/main.c,$(LIB_SRC))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/embedded.o
EMBED_IN := $(sort $(wildcard src/core/migrations/*.sql src/modules/*/migrations/*.sql)) data/gbt4754-2017.tsv data/regions.tsv \
            $(wildcard data/demo/*.json) $(sort $(wildcard data/holidays/*.tsv))

# Unit tests mirror the tree: tests/unit/core/ and tests/unit/<module>/; binaries by base name.
UNIT_SRC := $(sort $(shell find tests/unit -name 'test_*.c'))
UNIT_BIN := $(addprefix $(BUILD)/tests/,$(basename $(notdir $(UNIT_SRC))))
vpath test_%.c $(sort $(dir $(UNIT_SRC)))

.PHONY: all build deps web run test unit api e2e asan fuzz fuzz-replay clean format-check bench

all: build

build: $(BUILD)/parkbrain

deps:
	@scripts/install-deps.sh

$(BUILD)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) -O1 -o $@ $<

$(BUILD)/gen/embedded.c: $(BUILD)/tools/embed $(EMBED_IN)
	@mkdir -p $(dir $@)
	$(BUILD)/tools/embed $(EMBED_IN) > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/embedded.o: $(BUILD)/gen/embedded.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(CFLAGS) -fPIE -c -o $@ $<

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/libparkbrain.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/parkbrain: $(BUILD)/obj/src/cli/main.o $(BUILD)/libparkbrain.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS)

$(BUILD)/tests/test_%: test_%.c $(wildcard tests/unit/*.h) $(BUILD)/libparkbrain.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(LDFLAGS_ALL) -o $@ $< $(BUILD)/libparkbrain.a $(LIBS) -lcmocka

unit-bins: $(UNIT_BIN)

web/dist/index.html: $(shell find web/src web/index.html web/package.json web/vite.config.ts -type f 2>/dev/null)
	cd web && npm run build

web: web/dist/index.html

# Build everything, create the demo database on first start, serve on 127.0.0.1:8080.
run: deps
	$(MAKE) -j$(JOBS) build
	$(MAKE) web
	$(BUILD)/parkbrain serve --data ./data --demo-if-new true

# Every suite on SQLite and PostgreSQL, then the browser tests; ends with "N passed, N failed".
test: deps
	$(MAKE) -j$(JOBS) build unit-bins
	$(MAKE) web
	$(MAKE) -j$(JOBS) BUILD=build/asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
		LDFLAGS="-fsanitize=address,undefined" build/asan/parkbrain unit-bins
	scripts/test.sh

fuzz:
	scripts/fuzz.sh build

fuzz-replay:
	scripts/fuzz.sh replay

format-check:
	clang-format --dry-run --Werror $(LIB_SRC) src/cli/main.c

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
