#!/usr/bin/env bash
# Installs the Debian packages the tests and benchmarks use, when they are missing.
# Needs root (it runs apt-get); does nothing when everything is present.
set -euo pipefail
need=()
command -v kubectl >/dev/null 2>&1 || { echo "kubectl (1.32) is expected on the machine image and is missing" >&2; exit 1; }
command -v etcd >/dev/null 2>&1 || need+=(etcd-server)
command -v git >/dev/null 2>&1 || need+=(git)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
/usr/bin/python3 -c "import kubernetes" >/dev/null 2>&1 || need+=(python3-kubernetes)
command -v skopeo >/dev/null 2>&1 || need+=(skopeo)
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || need+=(apache2-utils)
((${#need[@]})) || exit 0
echo "installing Debian packages: ${need[*]}" >&2
if [[ $(id -u) -ne 0 ]]; then echo "not root: install ${need[*]} by hand" >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
