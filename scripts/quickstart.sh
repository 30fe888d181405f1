#!/usr/bin/env bash
# Quick start, command 1: install what is needed, build (release), and run the gateway on the
# embedded defaults — SQLite under data/, the built-in mock provider, a demo persona and key.
# Set OPENAI_API_KEY first to let the "openai_dev" persona (key gw-openai-key) reach OpenAI.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
export CCACHE_BASEDIR="$(pwd)" CCACHE_NOHASHDIR=1  # clones in other directories hit the cache
cmake --preset release >/dev/null
cmake --build --preset release --target execution-platform
mkdir -p data
exec build/release/execution-platform serve --config "${CONFIG:-config/examples/quickstart.json}" "$@"
