/**
 * Bits of paging-structure entries, and the reserved-bit masks this MMU checks.
 *
 * Reference: SDM Vol. 3A §4.3 (32-bit paging, Tables 4-4 to 4-6), §4.4 (PAE paging,
 * Tables 4-8 to 4-11), §4.1.4 (MAXPHYADDR). This CPU has no PSE-36, so MAXPHYADDR is 32
 * under 2-level paging and bits 21:13 of a 4 MiB PDE are reserved; under PAE it reports
 * MAXPHYADDR = 36, so bits 62:36 of every PAE entry are reserved, and bit 63 too unless
 * IA32_EFER.NXE = 1 (then it is XD, except in a PDPTE where it stays reserved).
 */

/** Present. */
export const PTE_P = 1 << 0;
/** Read/write: 0 makes the region read-only. */
export const PTE_RW = 1 << 1;
/** User/supervisor: 1 lets CPL 3 in. */
export const PTE_US = 1 << 2;
/** Page-level write-through (cache control; no effect here). */
export const PTE_PWT = 1 << 3;
/** Page-level cache disable (no effect here). */
export const PTE_PCD = 1 << 4;
/** Accessed: set by the walker in every entry used by a successful translation. */
export const PTE_A = 1 << 5;
/** Dirty: set by the walker in the leaf entry on a successful write. */
export const PTE_D = 1 << 6;
/** Page size in a PDE: 4 MiB (with CR4.PSE) or 2 MiB (PAE) page. PAT in a 4 KiB PTE. */
export const PTE_PS = 1 << 7;
/** Global: the translation survives a CR3 load when CR4.PGE = 1 (leaf entries only). */
export const PTE_G = 1 << 8;
/** The frame field of a 4 KiB entry or a page-table pointer (low 32 bits). */
export const PTE_FRAME = 0xfffff000 | 0;
/** The frame field of a 2-level 4 MiB PDE. */
export const PDE_FRAME_4M = 0xffc00000 | 0;
/** The frame field (low 32 bits) of a PAE 2 MiB PDE. */
export const PDE_FRAME_2M = 0xffe00000 | 0;
/** Reserved bits 21:13 of a 4 MiB PDE (no PSE-36: MAXPHYADDR = 32). */
export const PDE_4M_RSVD = 0x003fe000;
/** Reserved bits 20:13 of a PAE 2 MiB PDE (bit 12 is PAT). */
export const PDE_2M_RSVD = 0x001fe000;
/** Execute-disable: bit 63, i.e. bit 31 of an entry's high dword (PAE with NXE). */
export const PAE_XD_HI = 0x80000000 | 0;
/** Physical-address bits 35:32 in an entry's high dword (MAXPHYADDR = 36). */
export const PAE_ADDR_HI = 0xf;
/** Reserved bits 62:36 of a PAE PDE/PTE, as a high-dword mask. */
export const PAE_RSVD_HI = 0x7ffffff0;
/** Reserved bits 2:1 and 8:5 of a PAE PDPTE (it has no R/W, U/S, A, D, PS or G). */
export const PDPTE_RSVD_LO = 0x1e6;
/** Reserved bits 63:36 of a PAE PDPTE, as a high-dword mask (XD does not exist there). */
export const PDPTE_RSVD_HI = 0xfffffff0 | 0;
