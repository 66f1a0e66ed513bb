# Two commands: `make run` plans the bundled sample, `make test` runs every test
# twice (optimised build with assertions, then ASan+UBSan) and builds the Release tree that
# `make run` uses.  Both install any missing Debian packages first.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD := build
ASAN_BUILD := build-asan
CMAKE_FLAGS ?=

.PHONY: all deps build run test test-fast test-asan bench format clean

all: build

deps:
	@sh scripts/install-deps.sh

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

run: build
	sh scripts/run-sample.sh $(BUILD)/carevan

# The Release build too: it is what `make run` uses, and gcc warns differently at -O3
# (-Werror), so a tree that passes the Check build could still fail `make run`.
test: deps test-fast test-asan build

test-fast: deps
	cmake -S . -B build-check -DCMAKE_BUILD_TYPE=Check $(CMAKE_FLAGS) >/dev/null
	cmake --build build-check -j $(JOBS)
	cd build-check && ctest --output-on-failure -j $(JOBS)

test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Check -DCV_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && CV_TEST_QUICK=1 ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j $(JOBS)

bench: build
	sh bench/run-all.sh $(BUILD)

format:
	find core engine graph solver server tests bench -name '*.[ch]' -o -name '*.cpp' 2>/dev/null | xargs clang-format -i

clean:
	rm -rf $(BUILD) build-check $(ASAN_BUILD)
