/**
 * The Switcher's text page: the machine code the CPU itself runs to enter a Guest, and one
 * entry stub per vector through which every trap leaves it.
 *
 * Reference: lguest-abi.md §3.5 (switch_to_guest, in order), §3.6 (the 256 vector stubs);
 * SDM Vol. 2 for the encodings (LEA, LGDT/LIDT 0F 01 /2 /3, LTR 0F 00 /3, MOV CR3 0F 22 /3,
 * POP r32/segment, ADD r/m32 imm8, IRET).
 */
import { PAGE_SIZE, REGS, REGS_OFFSET, RO, TSS_SEL, vectorHasErrorCode } from "./layout.js";

/** Offset of `switch_to_guest` in the text page. */
export const SWITCH_TO_GUEST = 0;
/** Offset of the first vector stub. */
export const STUBS_OFFSET = 0x200;
/** Bytes between vector stubs. */
export const STUB_STRIDE = 12;

/** Offset of vector `vector`'s stub in the text page. */
export function stubOffset(vector: number): number {
  return STUBS_OFFSET + vector * STUB_STRIDE;
}

const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

/*S:120 Entering a Guest is the one part of the Switcher the CPU really executes, because it
 * is the part that must happen with the Guest's tables half loaded. The Host leaves the CPU in
 * ring 0 on the Switcher's own segments with two values: eax, this host CPU's pair of pages,
 * and ebx, the shadow page directory. The code points the stack at the register block at the
 * end of the regs page, loads the Guest's GDT and IDT from the read-only page, loads the TSS
 * (whose busy bit the CPU must write, so this happens while the Host's tables still map that
 * page writable), and then switches CR3. From that instruction on, the same linear address
 * names the vCPU's own regs page: the pops read the Guest's registers where the Host left
 * them, and `iret` drops to ring 1 or 3. There is no copying anywhere. :*/

/**
 * `switch_to_guest`. Entered at CPL 0 with CS = LGUEST_CS, SS = DS = ES = LGUEST_DS, eax =
 * linear address of this CPU's `lguest_pages`, ebx = physical address of the shadow page
 * directory, and the Host's page directory in CR3 (which maps the ro_state page writable).
 */
export function switchToGuestCode(): number[] {
  const ro = PAGE_SIZE; // the ro_state page follows the regs page
  return [
    ...[0x8d, 0xa0, ...le32(REGS_OFFSET)], // lea esp, [eax + REGS_OFFSET]
    ...[0x0f, 0x01, 0x90, ...le32(ro + RO.guestGdtDesc)], // lgdt [eax + guest_gdt_desc]
    ...[0x0f, 0x01, 0x98, ...le32(ro + RO.guestIdtDesc)], // lidt [eax + guest_idt_desc]
    ...[0xba, ...le32(TSS_SEL)], // mov edx, TSS selector
    ...[0x0f, 0x00, 0xda], // ltr dx
    ...[0x0f, 0x22, 0xdb], // mov cr3, ebx
    0x58, // pop eax
    0x5b, // pop ebx
    0x59, // pop ecx
    0x5a, // pop edx
    0x5e, // pop esi
    0x5f, // pop edi
    0x5d, // pop ebp
    ...[0x0f, 0xa9], // pop gs
    ...[0x0f, 0xa1], // pop fs
    0x1f, // pop ds
    0x07, // pop es
    ...[0x83, 0xc4, REGS.eip - REGS.trapnum], // add esp, 8: skip trapnum and errcode
    0xcf, // iret
  ];
}

/**
 * The stub of `vector`: push a zero error code where the CPU pushes none, push the vector,
 * then UD2. The Switcher registers each stub's address on the CPU's fault bus, so the Host
 * takes over the moment a delivery reaches it and the stub never runs; if it ever did, UD2 in
 * ring 0 would end in a fault inside the Switcher, which kills the Guest.
 */
export function stubCode(vector: number): number[] {
  const code: number[] = [];
  if (!vectorHasErrorCode(vector)) code.push(0x6a, 0x00); // push 0
  if (vector < 0x80) code.push(0x6a, vector);
  else code.push(0x68, ...le32(vector)); // push imm32 (imm8 would sign-extend)
  code.push(0x0f, 0x0b); // ud2
  return code;
}

/** The whole text page. */
export function switcherText(): Uint8Array {
  const page = new Uint8Array(PAGE_SIZE);
  page.set(switchToGuestCode(), SWITCH_TO_GUEST);
  for (let v = 0; v < 256; v++) page.set(stubCode(v), stubOffset(v));
  return page;
}
