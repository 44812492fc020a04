import { celEnv, parse, plan, isCelError, celMethod, celFunc, listType, CelScalar, isCelList, isCelMap, celType } from "@bufbuild/cel";
const { DYN, BOOL, INT } = CelScalar;
const env = celEnv({ funcs: [celMethod("isSorted", listType(DYN), [], BOOL, function () { return true; }), celMethod("hasValue", DYN, [], BOOL, function () { return isCelMap(this) && this.has("@opt"); })] });
function r(e, b) { try { const p = plan(env, parse(e)); const v = p(b); console.log(e, '=>', isCelError(v) ? 'ERR ' + v.message : v); } catch (x) { console.log(e, 'THROW', x.message); } }
r("[1,2].isSorted()", {});
r("self.l.isSorted()", {self: {l: ['a']}});
r("self.hasValue()", {self: new Map([["@opt", true]])});
r("self.hasValue()", {self: 1n});
r("self.x", {self: new Map([["x", 1n]])});
console.log(celType([1n]), String(celType(celtest())));
function celtest(){ return plan(env, parse("[1]"))(); }
r("self.a.b", {self: {a: {b: 1n}}});
r("size(self)", {self: {a: {b: 1n}}});
r("self.m == {'a': 1}", {self: {m: {a: 1n}}});
r("self.m == {'a': 1}", {self: {m: new Map([['a', 1n]])}});
