/** The Python `kubernetes` client (Debian's python3-kubernetes) against a real management plane. */
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPlane, type TestPlane } from '../support/plane.js';

const SCRIPT = String.raw`
import json, sys
from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

config.load_kube_config(config_file=sys.argv[1])
v1 = client.CoreV1Api()
out = {}
cm = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="py-cm", labels={"from": "python"}), data={"k": "v"})
created = v1.create_namespaced_config_map("default", cm)
out["created_rv"] = created.metadata.resource_version
out["listed"] = [i.metadata.name for i in v1.list_namespaced_config_map("default", label_selector="from=python").items]
patched = v1.patch_namespaced_config_map("py-cm", "default", {"data": {"k": "v2"}})
out["patched"] = patched.data["k"]
try:
    v1.read_namespaced_config_map("missing", "default")
except ApiException as e:
    out["missing_status"] = e.status
    out["missing_reason"] = json.loads(e.body)["reason"]
try:
    v1.create_namespaced_config_map("default", cm)
except ApiException as e:
    out["dup_status"] = e.status
w = watch.Watch()
seen = []
for ev in w.stream(v1.list_namespaced_config_map, "default", label_selector="from=python", resource_version=created.metadata.resource_version, timeout_seconds=5):
    seen.append(ev["type"])
    if len(seen) == 1:
        v1.delete_namespaced_config_map("py-cm", "default")
    if ev["type"] == "DELETED":
        w.stop()
out["watched"] = seen
crd = client.CustomObjectsApi()
out["namespaces"] = sorted(n.metadata.name for n in v1.list_namespace().items)
print(json.dumps(out))
`;

describe('Python kubernetes client', () => {
  let t: TestPlane;
  before(async () => {
    t = await startPlane();
  });
  after(async () => t?.close());

  it('creates, lists, patches, watches and deletes through the Python client', async () => {
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = execFile('/usr/bin/python3', ['-c', SCRIPT, t.plane.kubeconfigPath], { timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }));
      child.stdin?.end();
    });
    assert.equal(result.code, 0, result.stderr);
    const out = JSON.parse(result.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    assert.match(String(out.created_rv), /^\d+$/);
    assert.deepEqual(out.listed, ['py-cm']);
    assert.equal(out.patched, 'v2');
    assert.equal(out.missing_status, 404);
    assert.equal(out.missing_reason, 'NotFound');
    assert.equal(out.dup_status, 409);
    assert.deepEqual(out.watched, ['MODIFIED', 'DELETED']);
    assert.deepEqual(out.namespaces, ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
  });
});
