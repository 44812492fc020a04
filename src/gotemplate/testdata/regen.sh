#!/usr/bin/env bash
# Regenerates golden.json: renders every case in cases.py with Go's text/template and sprig's
# HermeticTxtFuncMap (Debian packages golang-go and golang-github-masterminds-sprig-dev).
# Cases with a "note" keep their hand-written expectation.
set -euo pipefail
cd "$(dirname "$0")"
export GOPATH=/usr/share/gocode GO111MODULE=off GOCACHE="${TMPDIR:-/tmp}/gotemplate-oracle-cache"
bin="${TMPDIR:-/tmp}/gotemplate-oracle"
go build -o "$bin" ./oracle
python3 cases.py | "$bin" > golden.json.new
mv golden.json.new golden.json
go version
echo "golden.json: $(python3 -c 'import json;print(len(json.load(open("golden.json"))["cases"]))') cases"
