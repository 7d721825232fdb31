"""Renders one binding class: named C-type layouts, constants, and per function a $DESC descriptor, a
lazily initialised handle holder and a static wrapper (see native-bindings/.../CTypes.java)."""
import re, sys, textwrap

COMMON = {
    "int": "INT", "unsigned int": "UINT", "size_t": "SIZE_T", "int64_t": "INT64", "uint64_t": "UINT64",
    "long long int": "LONG_LONG", "float": "FLOAT", "void*": "VOID_P", "const void*": "CONST_VOID_P",
    "void**": "VOID_PP", "int*": "INT_P", "size_t*": "SIZE_T_P", "float*": "FLOAT_P", "char*": "CHAR_P",
    "const char*": "CONST_CHAR_P", "const char**": "CONST_CHAR_PP",
}
I64 = {"size_t", "int64_t", "uint64_t", "long long int"}
I32 = {"int", "unsigned int"}

def parse(proto):
    m = re.match(r'\s*(.+?)\s*\b(\w+)\s*\((.*)\)\s*$', proto)
    ret, name, params = m.group(1).strip(), m.group(2), m.group(3).strip()
    ps = []
    if params and params != "void":
        for p in params.split(","):
            p = p.strip()
            pm = re.match(r'(.+?)\s*(\w+)$', p)
            t, n = pm.group(1).strip(), pm.group(2)
            t = re.sub(r'\s*\*', '*', t)
            ps.append((t, n))
    ret = re.sub(r'\s*\*', '*', ret)
    return ret, name, ps

def kind(t, enums, handles, structs):
    if t == "void": return "void"
    if t in structs: return "struct"
    if t.endswith("*") or t in handles: return "ptr"
    if t in enums or t in I32: return "i32"
    if t in I64: return "i64"
    if t == "float": return "f32"
    raise Exception("unknown type " + t)

def layout_expr(t, enums, handles, structs):
    if t in COMMON: return COMMON[t]
    if t in structs: return structs[t]
    k = kind(t, enums, handles, structs)
    if re.match(r'^\w+$', t): return t  # a typedef field
    return {"ptr": 'ptr("%s")', "i32": 'i32("%s")', "i64": 'i64("%s")', "f32": 'f32("%s")'}[k] % t

JT = {"ptr": "MemorySegment", "struct": "MemorySegment", "i32": "int", "i64": "long", "f32": "float", "void": "void"}

def gen(cls, doc, lib, header, pyinc, enums, handles, structs, consts, protos, extra=""):
    used_typedefs = []
    fns = [parse(p) for p in protos]
    for ret, name, ps in fns:
        for t in [ret] + [p[0] for p in ps]:
            if t in COMMON or t in structs or t == "void" or not re.match(r'^\w+$', t): continue
            if t not in used_typedefs: used_typedefs.append(t)
    out = []
    out.append("package org.vfmtok.cuda;\n")
    out.append("import static org.vfmtok.cuda.CTypes.*;\n")
    out.append("import java.lang.foreign.*;\nimport java.lang.invoke.MethodHandle;\nimport java.util.List;\n")
    out.append("/**\n" + "\n".join(" * " + l if l else " *" for l in doc.strip().split("\n")) + "\n */")
    out.append("@SuppressWarnings({\"unused\", \"checkstyle:MethodName\"})")
    out.append("public final class %s {" % cls)
    out.append("    private %s() {}\n" % cls)
    out.append("    public static final NativeLibrary LIB = CudaLibraries.%s;\n" % lib)
    out.append("    /** What {@link SignatureCheck} compiles these declarations against. */")
    out.append("    public static final CHeader HEADER = new CHeader(LIB, List.of(%s), List.of(%s));\n" % (
        ", ".join('"%s"' % h for h in header), ", ".join('"%s"' % h for h in pyinc)))
    out.append("    // ------------------------------------------------------------------ C types\n")
    for t in used_typedefs:
        k = kind(t, enums, handles, structs)
        fn = {"ptr": "ptr", "i32": "i32", "i64": "i64", "f32": "f32"}[k]
        jt = {"ptr": "AddressLayout", "i32": "ValueLayout.OfInt", "i64": "ValueLayout.OfLong", "f32": "ValueLayout.OfFloat"}[k]
        out.append('    public static final %s %s = %s("%s");' % (jt, t, fn, t))
    out.append("")
    if extra:
        out.append(textwrap.indent(textwrap.dedent(extra).strip("\n"), "    "))
        out.append("")
    out.append("    // ------------------------------------------------------------------ constants (values checked against the headers)\n")
    for c, v in consts:
        out.append("    public static final int %s = %s;" % (c, v))
    out.append("")
    out.append("    // ------------------------------------------------------------------ functions\n")
    for ret, name, ps in fns:
        rk = kind(ret, enums, handles, structs)
        args = [layout_expr(t, enums, handles, structs) for t, _ in ps]
        if rk == "void":
            desc = "FunctionDescriptor.ofVoid(%s)" % ", ".join(args)
        else:
            desc = "FunctionDescriptor.of(%s)" % ", ".join([layout_expr(ret, enums, handles, structs)] + args)
        proto = "%s %s(%s)" % (ret, name, ", ".join("%s %s" % p for p in ps))
        jparams = ", ".join("%s %s" % (JT[kind(t, enums, handles, structs)], n) for t, n in ps)
        jargs = ", ".join(n for _, n in ps)
        jret = JT[rk]
        out.append("    public static final FunctionDescriptor %s$DESC = %s;\n" % (name, desc))
        out.append("    private static final class %s$H {\n        static final MethodHandle H = LIB.downcall(\"%s\", %s$DESC);\n    }\n" % (name, name, name))
        out.append("    /** {@code %s} */" % proto)
        out.append("    public static %s %s(%s) {" % (jret, name, jparams))
        call = "%s$H.H.invokeExact(%s)" % (name, jargs)
        if jret == "void":
            body = "%s;" % call
        else:
            body = "return (%s) %s;" % (jret, call)
        out.append("        try {\n            %s\n        } catch (Throwable t) {\n            throw Native.rethrow(t, LIB);\n        }\n    }\n" % body)
    out.append("}")
    return "\n".join(out) + "\n"
