/**
 * The target description the stub gives GDB through `qXfer:features:read:target.xml`.
 *
 * Reference: GDB manual, "Target Descriptions" → "Target Description Format" (`<target>`,
 * `<architecture>`, `<feature>`, `<reg name bitsize regnum type group>`) and "i386 Features"
 * (org.gnu.gdb.i386.core must describe eax–edi, eip, eflags, the six segment registers, st0–st7
 * and the eight x87 control registers, in that order).
 */

/*D:310 The stub describes its registers instead of letting GDB assume them. GDB's built-in
 * i386 layout has SSE registers after the x87 ones, and it would expect every one of them in
 * each `g` reply; the machine has no SSE, and its x87 state is not what a kernel debugger asks
 * about. The smallest description GDB accepts for i386 is the core feature alone, and the core
 * feature insists on the x87 registers, so they are listed and then reported as unavailable
 * (`xx` for each byte), which GDB shows as `<unavailable>` rather than inventing zeros. :*/

const GENERAL: readonly (readonly [string, string])[] = [
  ["eax", "int32"],
  ["ecx", "int32"],
  ["edx", "int32"],
  ["ebx", "int32"],
  ["esp", "data_ptr"],
  ["ebp", "data_ptr"],
  ["esi", "int32"],
  ["edi", "int32"],
  ["eip", "code_ptr"],
  ["eflags", "int32"],
  ["cs", "int32"],
  ["ss", "int32"],
  ["ds", "int32"],
  ["es", "int32"],
  ["fs", "int32"],
  ["gs", "int32"],
];

const X87_CONTROL = ["fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop"];

/** Register numbers GDB gives the x87 registers in this description (16–31), all reported unavailable. */
export const X87_FIRST_REGNUM = 16;
/** Sizes in bytes of registers 16–31: st0–st7 (80-bit), then the eight 32-bit control registers. */
export const X87_SIZES: readonly number[] = [10, 10, 10, 10, 10, 10, 10, 10, 4, 4, 4, 4, 4, 4, 4, 4];

function buildTargetXml(): string {
  const regs: string[] = [];
  for (const [n, [name, type]] of GENERAL.entries()) regs.push(`<reg name="${name}" bitsize="32" type="${type}" regnum="${n}"/>`);
  for (let k = 0; k < 8; k++) regs.push(`<reg name="st${k}" bitsize="80" type="i387_ext" group="float"/>`);
  for (const name of X87_CONTROL) regs.push(`<reg name="${name}" bitsize="32" type="int" group="float"/>`);
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE target SYSTEM "gdb-target.dtd">',
    "<target>",
    "<architecture>i386</architecture>",
    '<feature name="org.gnu.gdb.i386.core">',
    ...regs,
    "</feature>",
    "</target>",
    "",
  ].join("\n");
}

/** The whole description, as served for `target.xml`. */
export const I386_TARGET_XML: string = buildTargetXml();
