# The two commands of the README: `make run` and `make test`.
export PATH := $(PATH):/opt/swift/usr/bin
SWIFT ?= swift

.PHONY: run serve test build release bench deps model models conformance parity clean

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

## SmolLM2 requantized by llama.cpp's llama-quantize into the other common types, and llama.cpp's
## own outputs on each file, made on this machine (llama.cpp b11434 is built once, about 10
## minutes, into $XDG_CACHE_HOME/grok/llamacpp). Never committed.
parity:
	@scripts/fetch-parity

## Build in release mode and chat with grok at the prompt. grokctl starts grokd in the
## background (it keeps serving other clients after the chat; `grokctl stop` stops it).
run: release model
	.build/release/grokctl chat

## Build in release mode and run grokd in the foreground (Ctrl-C stops it).
serve: release model
	.build/release/grokd

## Build everything (debug) and run every test against the real daemon.
## (The engine's suites run after the others: they keep both cores busy for half a minute.)
test: deps models conformance parity
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --skip GrokEngineTests
	$(SWIFT) test --skip-build --filter GrokEngineTests

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## Print the codec, RPC, engine and serving figures (benchmarks print numbers; they never fail on them).
SMOLLM2_FILES = $(DATA)/grok/models/SmolLM2-135M-Instruct.Q4_1.gguf \
	$(foreach v,Q8_0 Q4_K_M Q5_K_M Q3_K_M Q2_K Q2_K_pure IQ4_XS,$(CACHE)/grok/models-derived/SmolLM2-135M-Instruct.$(v).gguf)
DATA = $(if $(filter /%,$(XDG_DATA_HOME)),$(XDG_DATA_HOME),$(HOME)/.local/share)
CACHE = $(if $(filter /%,$(XDG_CACHE_HOME)),$(XDG_CACHE_HOME),$(HOME)/.cache)

bench: release models
	@scripts/fetch-parity --gemma
	.build/release/grok-bench quants $(SMOLLM2_FILES) $(DATA)/grok/models/gemma-3-270m-q4_k_m.gguf --llamacpp "$$(scripts/llamacpp-tools)"
	.build/release/grok-bench fidelity $(DATA)/grok/models/gemma-3-270m-q4_k_m.gguf $(SMOLLM2_FILES) --references $(CACHE)/grok/llamacpp-reference
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
