# Short commands for dbshift. The real build is CMake (CMakeLists.txt);
# scripts/ holds the steps that need more than one line.
BUILD ?= build
PREFIX ?= /usr/local
DESTDIR ?=
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
ifeq ($(CI),true)
CMAKE_FLAGS += -DDBSHIFT_WERROR=ON
endif

.PHONY: all build deps demo test test-asan install bench fuzz memcheck format format-check clean

all: build

deps:
	@scripts/install-deps

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS)

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

demo: deps
	@$(MAKE) --no-print-directory build
	@scripts/demo $(BUILD)/dbshift

test: deps
	@$(MAKE) --no-print-directory build
	@scripts/run-tests $(BUILD)

test-asan: deps
	@$(MAKE) --no-print-directory build BUILD=build-asan CMAKE_FLAGS="$(CMAKE_FLAGS) -DDBSHIFT_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug"
	@scripts/run-tests build-asan

install: build
	DESTDIR=$(DESTDIR) cmake --install $(BUILD) --prefix $(PREFIX)

bench: deps
	@$(MAKE) --no-print-directory build
	@bench/run $(BUILD)/dbshift

fuzz: deps
	@scripts/fuzz $${FUZZ_SECONDS:-60}

memcheck: deps
	@$(MAKE) --no-print-directory build
	@scripts/memcheck $(BUILD)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	clang-format --dry-run -Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) build-asan build-fuzz
