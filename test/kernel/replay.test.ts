// Replays every recorded lab boot through plan() (replay-lib.ts says what is compared). Prints
// agreement per kernel; any disagreement fails the test with the case ids and first diffs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { recordProfile, recordsByKernel, replayCase, type CaseOutcome } from './replay-lib.js';
import { parseConsole } from '../../src/verify/observation.js';
import { loadBoard } from '../../src/board.js';
import { plan } from '../../src/kernel/plan.js';

/**
 * Recorded deaths the model does not predict, per kernel, and why: each is checked to still die
 * unpredicted (or with its outcome predicted but not where and how), so the list stays true.
 * Most are one family: a failed region frees part of the running kernel image (or leaves free
 * pages without a linear mapping), and what the page allocator does with those pages decides the
 * death; the plan follows the first slab and the initramfs unpacking (src/kernel/page-alloc.ts),
 * warns for the rest (kernel-image-freed, free-pages-unmapped), and how overwritten data ends a
 * boot is the data's. One is a TLB and code-layout matter (kernel-unmapped-in-paging-init).
 */
const OPEN_DEATHS: Record<string, Record<string, string>> = {
  '5.10-armmp': {
    '1edceb2a357eb5fd':
      "silent (the fast boot's console ends after the MEMBLOCK dump; QEMU stopped at the bound): a failed reserved region's memblock_phys_free took [0x41420000-0x4145ffff] of the image's reservation with it, so memblock_free_all hands the running kernel's data to the page allocator; movable allocations reach it after 560 KiB; found by the seed-38 sample (cma=16M ro). What the overwritten data held is the data's: the plan warns kernel-image-freed",
    '5553275f95f7b8fd':
      "silent after 'hw-breakpoint: maximum watchpoint size is 8 bytes.' (an initcall): the static ramoops@40000000 [0x40000000-0x407fffff] (a shared-dma-pool without no-map over the image, which arm's rmem_dma_setup refuses: 'regions without no-map are not yet supported') fails and its free takes the image's reservation with it, so memblock_free_all hands the page allocator [0x40300000-0x407fffff] of the image's code; found by the seed-29 sample of layouts the lab had not recorded (6.12 and 7.2 armmp(-lpae) hang on this case as the plan predicts, for another reason). Which allocation takes those pages and what the overwritten code does next is the page allocator's order and the code's: the plan warns kernel-image-freed",
    '025a99c713facb60':
      "panic in the idle task (a NULL pointer dereference in init_tg_cfs_entry from sched_init, after 'SLUB: Unable to initialize free list for task_group', as 7955d015): the static reusable tee@40b00000 (16 MiB, not CMA-aligned) over the kernel image fails and its memblock_free takes the image's reservation with it, so memblock_free_all hands the page allocator the image's [0x40b00000-0x415f42cb], whose data past _etext starts the lowest wholly free order-11 block at 0x41000000: kmem_cache_init's first slab claims it and is zeroed and written over it (page-alloc.ts); found by the seed-27 sample of layouts the lab had not recorded (mem=256M crashkernel=128M; 6.12 and 7.2 hang in paging_init on this case, as the plan predicts). How the boot ends depends on what the overwritten data held: the plan warns kernel-image-freed, that the first slab takes it",
    '149a4ce247d42568':
      "panic (VFS: Unable to mount root fs on unknown-block(0,0), mount_block_root) after 'Initramfs unpacking failed: junk within compressed archive' and 'Freeing initrd memory: 888K', as on 6.1-armmp: the failed reusable linux,cma@48080000 (4 KiB, not CMA-aligned) lies inside the initrd's reservation [0x48000000-0x480ddfff] and memblock_free takes [0x48080000-0x48080fff] out of it, so memblock_free_all gives that initrd page to the page allocator and it is overwritten before populate_rootfs reads it; found by booting every fast record in full. What takes those pages first is the run's: the plan warns initrd-pages-freed",
    dc129c662ef2026b:
      "panic (Attempted to kill init!: kernel BUG at lib/list_debug.c:30, __list_add_valid from __free_one_page, the per-cpu list drained by free_reserved_area in free_initmem), as on 5.10-armmp-lpae: the failed reusable dsp@48070000 inside the initrd's reservation [0x48000000-0x480ddfff] is memblock_free'd, so memblock_free_all gives [0x48070000-0x480affff] of the initrd to the page allocator before the initramfs is unpacked, and free_initrd_mem frees them a second time once it is; booted in full after the seed-24 sample found it on 5.10-armmp-lpae (6.1-armmp, 6.1-armmp-lpae, 7.2-armmp and 7.2-armmp-lpae reach /init on this case). What takes those pages first is the run's: the plan warns initrd-pages-freed",
    a4ee2186edfea5b1:
      "silent after 'NET: Registered protocol family 16' (an initcall): the failed region frees [0x40300000-0x407fffff] of the image's code to the page allocator at memblock_free_all; booted in full again (the lab's fast boot had stopped after the reserved-memory lines). Which allocation takes those pages and what the overwritten code does next is the page allocator's order and the code's: the plan warns kernel-image-freed",
    d536bc9acbfc5742:
      "silent after 'cma: Reserved 16 MiB at 0x6f000000' (paging_init): the failed no-map ipc@3fff8000 is given back with memblock_add, so memblock.memory.regions[0] ends at 0x40008000, below the end of the image, and prepare_page_table clears the kernel's own PMDs until map_lowmem maps them again; booted in full again. Whether the CPU's TLB still holds what it needs meanwhile is not the layout's: the plan warns kernel-unmapped-in-paging-init",
    '3497720824ddf38c':
      "panic (Attempted to kill init!) at PC 0 from alloc_fs_context (aio_setup, an initcall): the failed region frees [0x40300000-0x40606fff] of the image's code, which the first movable allocations get; booted in full again. What the overwritten code does is the code's: the plan warns kernel-image-freed",
    '4d884a5ad8e5a882':
      "panic in the idle task (Unable to handle kernel paging request at 0x00001018 in __of_device_is_compatible, from of_irq_init in init_IRQ): the failed no-map region at 0x3ff00000 is given back with memblock_add, so memblock.memory.regions[0] is [0x3ff00000-0x3fffffff], ending below the image, and prepare_page_table clears the kernel's own PMDs until map_lowmem maps them again; the boot gets through paging_init and then reads a device-node pointer 0x1000; booted in full again. Which data went bad meanwhile is not followed: the plan warns kernel-unmapped-in-paging-init",
    '6f19b4cfec2732fa':
      "silent after 'hw-breakpoint: maximum watchpoint size is 8 bytes.' (an initcall): the failed region frees [0x40300000-0x4083efff] of the image's code to the page allocator; booted in full again. Which allocation takes those pages and what the overwritten code does is the page allocator's order and the code's: the plan warns kernel-image-freed",
    e4c3b387a5a4f6d9:
      "panic in the idle task (list_add corruption, BUG in __list_add_valid from free_highmem_page in mem_init), after 'BUG: Bad page state' from memblock_free_all: memory [0x3e000000-...] given back with memblock_add lies below PHYS_OFFSET, create_mapping refuses map_lowmem's piece under the kernel ('BUG: not creating mapping for 0x3e000000 at 0xbe000000 in user region'), and the failed region frees [0x40300000-0x415f42cb] of the image; booted in full again. What the freed and unmapped pages hold when the page allocator links them is not followed: the plan warns kernel-image-freed",
    '670bdcbdcd9cc0ea':
      "silent after 'NET: Registered protocol family 16' (an initcall): the failed region frees [0x40300000-0x407fffff] of the image's code, which movable allocations reach after 42468 KiB; booted in full again. What the overwritten code does is the code's: the plan warns kernel-image-freed",
    '7955d0152c84db20':
      "panic in the idle task (init_tg_cfs_entry from sched_init, after 'SLUB: Unable to initialize free list for task_group'): the failed region frees the image's [0x40c00000-0x415f42cb], rodata at the start of the lowest wholly free order-11 block, which kmem_cache_init's first slab claims and zeroes; booted in full again (the lab's fast boot had stopped after the reserved-memory lines). What overwritten data does is the data's: the plan warns kernel-image-freed",
  },
  '5.10-armmp-lpae': {
    '5553275f95f7b8fd':
      "silent after 'hw-breakpoint: maximum watchpoint size is 8 bytes.' (an initcall): the static ramoops@40000000 [0x40000000-0x407fffff] (a shared-dma-pool without no-map over the image, which arm's rmem_dma_setup refuses: 'regions without no-map are not yet supported') fails and its free takes the image's reservation with it, so memblock_free_all hands the page allocator [0x40400000-0x407fffff] of the image's code; found by the seed-29 sample of layouts the lab had not recorded (6.12 and 7.2 armmp(-lpae) hang on this case as the plan predicts, for another reason). Which allocation takes those pages and what the overwritten code does next is the page allocator's order and the code's: the plan warns kernel-image-freed",
    '025a99c713facb60':
      "panic in the idle task (in steal_suitable_fallback, from kmem_cache_alloc for workqueue_init_early's idr, the console's own strings garbled): the static reusable tee@40b00000 (16 MiB, not CMA-aligned) over the kernel image fails and its memblock_free takes the image's reservation with it, so memblock_free_all hands the page allocator the image's [0x40b00000-0x417f9e4b], whose data past _etext starts the lowest wholly free order-11 block at 0x41000000: kmem_cache_init's first slab claims it and is zeroed and written over it (page-alloc.ts); found by the seed-27 sample of layouts the lab had not recorded (mem=256M crashkernel=128M; 6.12 and 7.2 hang in paging_init on this case, as the plan predicts). How the boot ends depends on what the overwritten data held: the plan warns kernel-image-freed, that the first slab takes it",
    '149a4ce247d42568':
      "panic (VFS: Unable to mount root fs on unknown-block(0,0), mount_block_root) after 'Initramfs unpacking failed: junk within compressed archive' and 'Freeing initrd memory: 888K', as on 5.10-armmp and 6.1-armmp: the failed reusable linux,cma@48080000 (4 KiB, not CMA-aligned) lies inside the initrd's reservation [0x48000000-0x480e6bdb] and memblock_free takes [0x48080000-0x48080fff] out of it (the MEMBLOCK dump shows the hole), so memblock_free_all gives that initrd page to the page allocator and it is overwritten before populate_rootfs reads it; found by booting every fast record in full. What takes those pages first is the run's: the plan warns initrd-pages-freed",
    dc129c662ef2026b:
      "panic (Attempted to kill init!: kernel BUG at lib/list_debug.c:30, __list_add_valid from __free_one_page, the per-cpu list drained by free_reserved_area in free_initmem): the failed reusable dsp@48070000 (compatible matching fail) lies inside the initrd's reservation [0x48000000-0x480ddfff] and fdt_init_reserved_mem's memblock_free takes [0x48070000-0x480affff] out of it, so memblock_free_all gives those initrd pages to the page allocator while the initramfs is still to be unpacked, and free_initrd_mem frees them a second time once it is unpacked (read from the code; the stored console keeps only its last lines); booted in full (seed-24 sample of the records the plan passed unwarned). Which allocations get those pages between memblock_free_all and free_initrd_mem is the run's (12 recorded boots whose free took initrd pages reached /init): the plan warns initrd-pages-freed",
    bd82b89d0b9b8d35:
      "silent after an oops in kernel_init_free_pages (init_on_alloc zeroing a new page, vmalloc from crypto_scomp_init_tfm in cryptomgr's alg_test thread, which the boot then waits on): the failed no-map modem_1@8f900000 beyond RAM's end (0x80000000) is given back with memblock_add, so memblock_free_all hands [0x8f900000-0x8f93ffff] to highmem, in a pageblock that starts outside memory (unmovable). Unlike 5.10-armmp's boot of this case, highmem's unmovable lists also hold RAM, [0x7fc01000-0x7fdfffff] (LPAE's 2 MiB pageblock at 0x7fc00000 starts in a hole 5.10 memblock_remove'd for a no-map region), smaller blocks that the first vmallocs take first (start-kernel.ts firstHighmemVmalloc predicts no death in sock_init); a later one, a crypto self-test's, reached the not-RAM pages. Which allocation that is, and in which task, is the run's: the plan warns free-pages-not-ram",
    c6652ee6f0b6fba5:
      "panic (Attempted to kill init!) in kernel_init_free_pages (init_on_alloc zeroing a new page, a shmem page of populate_rootfs's initramfs unpacking): the failed no-map modem@c5c00000 beyond RAM's end (0xc0000000) is given back with memblock_add and lies in highmem, so memblock_free_all hands [0xc5c00000-0xc5c00fff] to the page allocator and the first highmem allocation that gets one of its pages writes where QEMU has no RAM; booted in full after the seed-23 sample found 120b36fa. Which allocation gets one of these pages first, and in which task, is the page allocator's order at run time (the pages need not be on the lists an early allocation reaches): the plan warns free-pages-not-ram",
    a4ee2186edfea5b1:
      "silent after 'hw-breakpoint: maximum watchpoint size is 8 bytes.' (an initcall): the failed region frees [0x40400000-0x407fffff] of the image's code to the page allocator at memblock_free_all; booted in full again (the lab's fast boot had stopped after the reserved-memory lines). Which allocation takes those pages and what the overwritten code does next is the page allocator's order and the code's: the plan warns kernel-image-freed",
    d536bc9acbfc5742:
      "silent after 'cma: Reserved 16 MiB at 0x000000006f000000' (paging_init): the failed no-map ipc@3fff8000 is given back with memblock_add, so memblock.memory.regions[0] ends at 0x40008000, below the end of the image, and prepare_page_table clears the kernel's own PMDs until map_lowmem maps them again; booted in full again. Whether the CPU's TLB still holds what it needs meanwhile is not the layout's: the plan warns kernel-unmapped-in-paging-init",
    '3497720824ddf38c':
      "panic (Attempted to kill init!) in populate_rootfs (an oops under shmem_getpage_gfp while the initramfs is unpacked): the failed region frees [0x40400000-0x40606fff] of the image's code, which the first movable allocations get; booted in full again. What the overwritten code does is the code's: the plan warns kernel-image-freed",
    '4d884a5ad8e5a882':
      "panic in the idle task (Unable to handle kernel paging request at 0x00001018 in __of_device_is_compatible, from of_irq_init in init_IRQ): the failed no-map region at 0x3ff00000 is given back with memblock_add, so memblock.memory.regions[0] is [0x3ff00000-0x3fffffff], ending below the image, and prepare_page_table clears the kernel's own PMDs until map_lowmem maps them again; the boot gets through paging_init and then reads a device-node pointer 0x1000 (as 5.10-armmp does); booted in full again. Which data went bad meanwhile is not followed: the plan warns kernel-unmapped-in-paging-init",
    '6f19b4cfec2732fa':
      "silent after 'hw-breakpoint: maximum watchpoint size is 8 bytes.' (an initcall): the failed region frees [0x40400000-0x4083efff] of the image's code to the page allocator; booted in full again. Which allocation takes those pages and what the overwritten code does is the page allocator's order and the code's: the plan warns kernel-image-freed",
    e4c3b387a5a4f6d9:
      "panic in the idle task (NULL pointer dereference in __list_add_valid from free_highmem_page in mem_init): memory [0x3e000000-...] given back with memblock_add lies below PHYS_OFFSET, create_mapping refuses map_lowmem's piece under the kernel ('BUG: not creating mapping ... in user region'), and the failed region frees [0x40400000-0x417f9e4b] of the image; booted in full again. What the freed and unmapped pages hold when the page allocator links them is not followed: the plan warns kernel-image-freed",
    '670bdcbdcd9cc0ea':
      "silent after an oops in lzo1x_1_do_compress (cryptomgr's alg_test thread) that the boot then waits on: the failed region frees [0x40400000-0x407fffff] of the image's code to the page allocator; booted in full again. What the overwritten code does is the code's: the plan warns kernel-image-freed",
  },
  '6.1-armmp': {
    b73669666f06ed34:
      "silent in paging_init after the MEMBLOCK dump (the memblock=debug boot's last line is its first early_alloc on 6.1-armmp), like 8160e30e: the static no-map vpu@3ff00000 [0x3ff00000-0x400fffff] (a shared-dma-pool whose handler refuses it) straddles RAM's start, and adjust_lowmem_bounds makes memblock.memory.regions[0] end at 0x40200000, below the end of the image, so prepare_page_table clears the kernel's own PMDs until paging_init maps them again; found by the seed-41 sample (--many: 62 carve-outs, 1 GiB; 6.1-armmp, 6.12-armmp and 7.2-armmp-lpae hang on it, 5.10-armmp(-lpae), 6.1-armmp-lpae, 6.12-armmp-lpae and 7.2-armmp reach /init). Whether the CPU's TLB still holds what it needs meanwhile is not the layout's: the plan warns kernel-unmapped-in-paging-init",
    '277cb043d6b58813':
      "silent inside the third 'BUG: Bad page state in process swapper/0' (pfn 0x80039 to 0x8003b, core initcalls): CMA area ipc@7f000000 [0x7f000000-0x80ffffff] (a static reusable shared-dma-pool) reaches past the end of RAM (0x80000000), where mem_map has no struct pages, and cma_activate_area treats what lies past mem_map's end as the struct pages of pfn 0x80000 on, like 1d2a0134; found by the seed-39 sample (--many: 68 regions; 5.10's armmp kernels print 'CMA area ipc@7f000000 could not be activated' and reach /init, as the plan predicts). What that memory holds is not followed: the plan warns cma-area-without-struct-pages",
    '0a8633ccebcd855d':
      "silent or dead in the core initcalls (the lab's boot: a hang): CMA area vpu@be000000 [0xbe000000-0xc1ffffff] starts in HighMem and reaches past the end of RAM (0xc0000000), where mem_map has no struct pages; 6.1's cma_activate_area checks every page's zone first and, finding what lies past mem_map's end not to read as ZONE_HIGHMEM, gives every page back, those past mem_map included; found by the seed-31 sample (5.10's armmp kernels print 'CMA area vpu@be000000 could not be activated' and reach /init, as the plan predicts). What that memory holds is not followed: the plan warns cma-area-without-struct-pages",
    '5553275f95f7b8fd':
      "silent after 'IP idents hash table entries' (an initcall): the static ramoops@40000000 [0x40000000-0x407fffff] (a shared-dma-pool without no-map over the image, which arm's rmem_dma_setup refuses: 'regions without no-map are not yet supported') fails and its free takes the image's reservation with it, so memblock_free_all hands the page allocator [0x40300000-0x407fffff] of the image's code; found by the seed-29 sample of layouts the lab had not recorded (6.12 and 7.2 armmp(-lpae) hang on this case as the plan predicts, for another reason). Which allocation takes those pages and what the overwritten code does next is the page allocator's order and the code's: the plan warns kernel-image-freed",
    '025a99c713facb60':
      "a restart 2 s into the boot (QEMU gone before the bound, no /init; the console garbage, its format strings overwritten, so no panic line is legible: bootEnd reads that as a panic): the static reusable tee@40b00000 (16 MiB, not CMA-aligned) over the kernel image fails and its memblock_free takes the image's reservation with it, so memblock_free_all hands the page allocator the image's [0x40b00000-0x41607587], whose data past _etext starts the lowest wholly free order-11 block at 0x41000000: kmem_cache_init's first slab claims it and is zeroed and written over it (page-alloc.ts); found by the seed-27 sample of layouts the lab had not recorded (mem=256M crashkernel=128M; 6.12 and 7.2 hang in paging_init on this case, as the plan predicts). How the boot ends depends on what the overwritten data held: the plan warns kernel-image-freed, that the first slab takes it",
    '149a4ce247d42568':
      "panic (VFS: Unable to mount root fs on unknown-block(0,0), mount_block_root) after 'Initramfs unpacking failed: uncompression error' and 'Freeing initrd memory: 888K': the failed reusable linux,cma@48080000 (4 KiB, not CMA-aligned) lies inside the initrd's reservation [0x48000000-0x480ddfff] and memblock_phys_free takes [0x48080000-0x48080fff] out of it, so memblock_free_all gives that initrd page to the page allocator and it is overwritten before do_populate_rootfs reads it; booted in full on the record's package (the plan's own trace shows the free inside the initrd). What takes those pages first is the run's: the plan warns initrd-pages-freed (7.2-armmp predicts a panic on this case for another reason)",
    '670bdcbdcd9cc0ea':
      "silent after 'NET: Registered PF_NETLINK/PF_ROUTE protocol family' (an initcall): the failed region frees [0x40300000-0x407fffff] of the image's code to the page allocator; booted in full again on the record's package. What the overwritten code does is the code's: the plan warns kernel-image-freed",
    a4ee2186edfea5b1:
      "silent after 'NET: Registered PF_NETLINK/PF_ROUTE protocol family' (an initcall): the failed region frees [0x40300000-0x407fffff] of the image's code to the page allocator at memblock_free_all; booted in full again on the record's package (the lab's fast boot had stopped after the reserved-memory lines). Which allocation takes those pages and what the overwritten code does is the page allocator's order and the code's: the plan warns kernel-image-freed",
    '3497720824ddf38c':
      "silent after 'Asymmetric key parser 'x509' registered' (an initcall): the failed region frees [0x40300000-0x40606fff] of the image's code, which the first movable allocations get; booted in full again on the record's package. What the overwritten code does is the code's: the plan warns kernel-image-freed",
    '6f19b4cfec2732fa':
      "silent after 'IP idents hash table entries' (an initcall): the failed region frees [0x40300000-0x4083efff] of the image's code to the page allocator; booted in full again on the record's package. What the overwritten code does is the code's: the plan warns kernel-image-freed",
    '1d2a013421347a42':
      "silent inside the third 'BUG: Bad page state in process swapper/0' (pfn 0x48039 to 0x4803b, core initcalls): CMA area tee@47000000 [0x47000000-0x48ffffff] reaches past the end of RAM (0x48000000), where mem_map has no struct pages, and cma_activate_area treats what lies past mem_map's end as the struct pages of pfn 0x48000 on; booted in full again on the record's package. What that memory holds is not followed: the plan warns cma-area-without-struct-pages",
    b185d4d189b01d1b:
      "silent after 'cma: Reserved 16 MiB at 0x7c800000' (paging_init): memblock.memory.regions[0] ends at 0x40200000, below the end of the image, so prepare_page_table clears the kernel's own PMDs until map_kernel maps them again (after map_lowmem has mapped every other range); booted in full again on the record's package (6.1-armmp reaches /init on 6 other recorded boots with such a layout). Whether the CPU's TLB still holds what it needs meanwhile is not the layout's: the plan warns kernel-unmapped-in-paging-init",
  },
  '6.1-armmp-lpae': {
    '277cb043d6b58813':
      "panic in the idle task (a prefetch abort at __fiq_svc after 'BUG: Bad page state in process swapper/0 pfn:8003b'): CMA area ipc@7f000000 [0x7f000000-0x80ffffff] (a static reusable shared-dma-pool) reaches past the end of RAM (0x80000000), where mem_map has no struct pages, and cma_activate_area treats what lies past mem_map's end as the struct pages of pfn 0x80000 on, like 1d2a0134; found by the seed-39 sample (--many: 68 regions; 5.10's armmp kernels print 'CMA area ipc@7f000000 could not be activated' and reach /init, as the plan predicts). What that memory holds is not followed: the plan warns cma-area-without-struct-pages",
    '0a8633ccebcd855d':
      "silent or dead in the core initcalls (the lab's boot: a hang): CMA area vpu@be000000 [0xbe000000-0xc1ffffff] starts in HighMem and reaches past the end of RAM (0xc0000000), where mem_map has no struct pages; 6.1's cma_activate_area checks every page's zone first and, finding what lies past mem_map's end not to read as ZONE_HIGHMEM, gives every page back, those past mem_map included; found by the seed-31 sample (5.10's armmp kernels print 'CMA area vpu@be000000 could not be activated' and reach /init, as the plan predicts). What that memory holds is not followed: the plan warns cma-area-without-struct-pages",
    '5553275f95f7b8fd':
      "silent after 'PCI: CLS 0 bytes, default 64' (an initcall): the static ramoops@40000000 [0x40000000-0x407fffff] (a shared-dma-pool without no-map over the image, which arm's rmem_dma_setup refuses: 'regions without no-map are not yet supported') fails and its free takes the image's reservation with it, so memblock_free_all hands the page allocator [0x40400000-0x407fffff] of the image's code; found by the seed-29 sample of layouts the lab had not recorded (6.12 and 7.2 armmp(-lpae) hang on this case as the plan predicts, for another reason). Which allocation takes those pages and what the overwritten code does next is the page allocator's order and the code's: the plan warns kernel-image-freed",
    '025a99c713facb60':
      "panic in the idle task (in steal_suitable_fallback from rmqueue_bulk, the console's own strings garbled): the static reusable tee@40b00000 (16 MiB, not CMA-aligned) over the kernel image fails and its memblock_free takes the image's reservation with it, so memblock_free_all hands the page allocator the image's [0x40b00000-0x4180d287], whose data past _etext starts the lowest wholly free order-11 block at 0x41000000: kmem_cache_init's first slab claims it and is zeroed and written over it (page-alloc.ts); found by the seed-27 sample of layouts the lab had not recorded (mem=256M crashkernel=128M; 6.12 and 7.2 hang in paging_init on this case, as the plan predicts). How the boot ends depends on what the overwritten data held: the plan warns kernel-image-freed, that the first slab takes it",
    '149a4ce247d42568':
      "panic (VFS: Unable to mount root fs on unknown-block(0,0), mount_block_root) after 'Initramfs unpacking failed: junk within compressed archive' and 'Freeing initrd memory: 888K': the failed reusable linux,cma@48080000 (4 KiB, not CMA-aligned) lies inside the initrd's reservation [0x48000000-0x480ddfff] and memblock_phys_free takes [0x48080000-0x48080fff] out of it, so memblock_free_all gives that initrd page to the page allocator and it is overwritten before do_populate_rootfs reads it; booted in full on the record's package (the plan's own trace shows the free inside the initrd). What takes those pages first is the run's: the plan warns initrd-pages-freed (7.2-armmp predicts a panic on this case for another reason)",
    fba8c8ec0ed7763e:
      "silent after 'cma: Reserved 16 MiB at 0x000000006f000000' (paging_init; the memblock=debug boot's last line is its first early_alloc, 4096 bytes at 0x403ff000), like 7.2-armmp-lpae 5e840204: the static no-map gpu@41900000 makes memblock.memory.regions[0] [0x40000000-0x418fffff], which ends above the end of the image (0x4180d288) but inside its last 2 MiB PMD, and prepare_page_table clears from pmd_off_k(__phys_to_virt(end)), the PMD of [0x41800000-0x419fffff], until map_kernel maps it again; booted in full on the record's package after the seed-23 sample found 5e840204. Whether the CPU's TLB still holds what it needs meanwhile is not the layout's: the plan warns kernel-unmapped-in-paging-init",
    '670bdcbdcd9cc0ea':
      "silent after 'NET: Registered PF_NETLINK/PF_ROUTE protocol family' (an initcall): the failed region frees [0x40400000-0x407fffff] of the image's code to the page allocator; booted in full again on the record's package. What the overwritten code does is the code's: the plan warns kernel-image-freed",
    a4ee2186edfea5b1:
      "silent after 'NET: Registered PF_NETLINK/PF_ROUTE protocol family' (an initcall): the failed region frees [0x40400000-0x407fffff] of the image's code to the page allocator at memblock_free_all; booted in full again on the record's package (the lab's fast boot had stopped after the reserved-memory lines). What the overwritten code does is the code's: the plan warns kernel-image-freed",
    '3497720824ddf38c':
      "panic (Attempted to kill init!) after an oops in a kworker and an undefined instruction in bpf_lsm_kernfs_init_security (from __kernfs_new_node): the failed region frees [0x40400000-0x40606fff] of the image's code, which the first movable allocations get; booted in full again on the record's package. What the overwritten code does is the code's: the plan warns kernel-image-freed",
    f35f99c8a79a3db4:
      "panic (Attempted to kill init!) in free_pcp_prepare, after bad_page from free_pcppages_bulk in cma_init_reserved_areas: CMA area dsp_3@47e00000 [0x47e00000-0x481fffff] reaches past the end of RAM (0x48000000), where mem_map has no struct pages, and cma_init_reserved_areas frees what lies past mem_map's end as pages; booted in full again on the record's package. What that memory holds is not followed: the plan warns cma-area-without-struct-pages (66951dd5, also reaching past RAM, boots)",
    '6f19b4cfec2732fa':
      "silent after 'PCI: CLS 0 bytes, default 64' (an initcall): the failed region frees [0x40400000-0x4083efff] of the image's code to the page allocator; booted in full again on the record's package. What the overwritten code does is the code's: the plan warns kernel-image-freed",
    '1d2a013421347a42':
      "silent inside the third 'BUG: Bad page state in process swapper/0' (pfn 0x48039 to 0x4803b, core initcalls): CMA area tee@47000000 [0x47000000-0x48ffffff] reaches past the end of RAM (0x48000000), where mem_map has no struct pages, and cma_activate_area treats what lies past mem_map's end as the struct pages of pfn 0x48000 on; booted in full again on the record's package. What that memory holds is not followed: the plan warns cma-area-without-struct-pages",
    '72611b95a11b9fb8':
      "not predicted, warned (kernel-image-freed, src/kernel/page-alloc.ts): the failed reusable pool video@41700000 freed the image's tail [0x41700000, _end), and its part from 0x41800000 (bss) starts the lowest wholly free order-11 block, which kmem_cache_init's first slab claims and zeroes; what zeroed data does next is the data's business: this boot falls silent after 'Memory:', 5.10-armmp 7955d015 (rodata there, booted in full by hand) oopses in sched_init, so no outcome follows from the code",
  },
  '5.10-arm64': {
    '180c777f978075d8':
      "panic (Oops: Fatal exception in interrupt: the timer interrupt's handler read overwritten data while populate_rootfs unpacked the initramfs into shmem pages): a failed region over the kernel image freed [0x41a00000-0x41a00fff] of its .data (past __init_end 0x419d0000), the first page movable allocations take, so the initramfs's first tmpfs page is written over live kernel data; found by the seed-37 sample (two NUMA nodes, cma_pernuma=4M). What the overwritten data held is the data's: the plan warns kernel-image-freed (after 0 KiB of movable allocations)",
    '3242c39213c30d97':
      "panic (Attempted to kill the idle task!) after an oops in __free_pages_ok from ftrace_free_pages in ftrace_init: the failed reusable shared-dma-pool video_3@40d00000 (not CMA-aligned, over the kernel image at 0x40200000) is freed when its handler fails (drivers/of/of_reserved_mem.c), which takes [0x40d00000-0x414fffff] of the image's text out of its reservation, so memblock_free_all hands the page allocator kernel code whose linear alias is still writable before smp_cpus_done; found by the seed-34 sample (2 CPUs, 128 MiB). Which allocation first gets one of those pages, and which code it zeroes, is the page allocator's order and the code layout's (the lowest wholly free order-10 block, 0x41000000, is text): the plan warns kernel-image-freed (text below __init_begin)",
    d09fbae92d081c92:
      "panic (Attempted to kill init!) in __pi_strcmp from kset_find_obj (driver_register, an initcall): the failed region frees [0x41b00000-0x41b0ffff] of the image's .data (past __init_begin 0x41480000) at memblock_free_all, and whatever the page allocator gave it to overwrote a kobject's name; booted in full again, the lab's fast boot having stopped after the reserved-memory lines. Which allocation gets those pages is the page allocator's order, not followed: the plan warns kernel-image-freed",
    cca06429423a4943:
      "silent after 'Mountpoint-cache hash table entries': the no-map reusable pool dsp@41800000 over the image fails and 5.10's fdt_init_reserved_mem memblock_free()s it, so memblock_free_all hands [0x41800000, _end) of the running kernel (init data, init_stack at 0x419d0000, .data, .bss) to the page allocator; booted again under gdb, rest_init's first kernel_thread gets the whole init stack as an order-2 slab page, init_on_alloc zeroes the frames it runs on, the return faults and die_kernel_fault's printk spins in boot_delay_msec on overwritten .bss with interrupts off. The lowest wholly free order-10 block, [0x41800000-0x41bfffff], is the image's init data, so kmem_cache_init's first slab already overwrites it (page-alloc.ts); how the boot ends depends on what the overwritten data held (here a later allocation's), not followed: the plan warns kernel-image-freed, twice (the 'Memory:' line's missing half is deferred struct page init, 1 GiB sections, modelled)",
  },
  '7.2-arm64': {
    '4a3d158dcea5f17e':
      "panic: out of memory in bio_integrity_initfn ('bio: can't create integrity buf pool', an initcall): three NUMA nodes of 64, 64 and 0 MiB, a CPU each, with 26788 KiB handed to the page allocator, 4011 KiB above where the ladder's one-node boots of this build with three CPUs stop dying (node 0 keeps 15 MiB managed, node 1's free memory is mostly its 32 MiB CMA area); found by the seed-37 sample (--numa). How split nodes run short is not measured: the plan warns out-of-memory-unmeasured (NUMA, within 8 MiB of the boundary)",
    '3242c39213c30d97':
      "panic (Attempted to kill the idle task!), the console ending in a recursive die/panic loop: the failed reusable shared-dma-pool video_3@40d00000 (not CMA-aligned, over the kernel image at 0x40200000) is freed when its handler fails (drivers/of/of_reserved_mem.c), which takes [0x40d00000-0x414fffff] of the image's text out of its reservation, so memblock_free_all hands the page allocator kernel code whose linear alias is still writable before smp_cpus_done; found by the seed-34 sample (2 CPUs, 128 MiB). Which allocation first gets one of those pages, and which code it zeroes, is the page allocator's order and the code layout's (the lowest wholly free order-10 block, 0x41000000, is text): the plan warns kernel-image-freed (text below __init_begin)",
    '004292c69c83abf0':
      "panic in bio_integrity_initfn ('bio: can't create integrity buf pool', an initcall) with 24480 KiB handed to the page allocator and 4 CPUs, 412 KiB above where the lab's 4-CPU ladder boots of this build stop dying (died with 23940, reached /init with 24196 and 24452 KiB): the ladder squeezes memory with two static regions and cma=0, this layout has 80 MiB of CMA (the default area and a reusable pool) beside a static region and a no-map one. Found by the seed-33 sample. Which allocation fails first this near the boundary depends on more than the amount: the plan warns out-of-memory-near-boundary",
    '8b4943c52a591937':
      "silent after 'Run /init as init process': the failed reusable secmon@42900000 (4 MiB over the kernel image, a shared-dma-pool the CMA alignment refuses) is memblock_free'd with the image's reservation, so memblock_free_all hands the page allocator [0x42900000-0x42cfffff] of the running image (init sections from __init_begin 0x42710000 to __init_end 0x42ae0000, then .data and .bss; movable allocations reach it after 1220 KiB); found by the seed-28 sample of layouts the lab had not recorded (6.12-arm64, 6.12-arm64-16k, 7.2-arm64 and 7.2-arm64-16k all hang on it; 5.10 and 6.1 reach /init). Which allocation takes those pages and what the overwritten data held is the run's: the plan warns kernel-image-freed",
    f51c615263a5e4c7:
      "silent after 'Run /init as init process': the failed pool@42800000 freed [0x42800000-0x42800fff], init text (__init_begin 0x42710000), at memblock_free_all; a lone 4 KiB block is the first page movable allocations take, so populate_rootfs put busybox's first page there (the bad page's dump: index 0x0, dentry busybox). free_initmem poisons it and free_reserved_page drops its count to 0: __free_pages_prepare reports 'BUG: Bad page state in process swapper/0  pfn:42800' (page still charged to cgroup) and keeps it off the free lists, but it stays in busybox's page cache with no reference, and exec of /init (interpreter /bin/busybox) retries folio_try_get on it in filemap_get_entry for ever, silently on this preemptible build. The plan warns kernel-image-freed with all of that (first movable page, within the initrd, the report); it predicts no hang because which file page it is, and whether the boot reads it, is the initramfs's content. Booted by hand with variants: 5.10 and 6.1 soft-lock in the same exec read (5.10 reports the bad page when free_pcppages_bulk drains it, 6.1 not at all); a 512 KiB block busybox's pages 201-328 reach oopses in unpack_to_rootfs (init data overwritten) instead; a 1 MiB block movable allocations reach after 1828 KiB, past the initramfs's 1808 KiB of files, is still free at free_initmem, freed twice unreported, and the boot completes",
  },
  '6.1-arm64': {
    '3242c39213c30d97':
      "silent after 'ftrace: allocating 44174 entries in 173 pages' and a line whose format string is garbled (rodata or code overwritten): the failed reusable shared-dma-pool video_3@40d00000 (not CMA-aligned, over the kernel image at 0x40200000) is freed when its handler fails (drivers/of/of_reserved_mem.c), which takes [0x40d00000-0x414fffff] of the image's text out of its reservation, so memblock_free_all hands the page allocator kernel code whose linear alias is still writable before smp_cpus_done; found by the seed-34 sample (2 CPUs, 128 MiB). Which allocation first gets one of those pages, and which code it zeroes, is the page allocator's order and the code layout's (the lowest wholly free order-10 block, 0x41000000, is text): the plan warns kernel-image-freed (text below __init_begin)",
    d09fbae92d081c92:
      "hung, the CPU stuck in init for good (soft-lockup reports at 24 s and 48 s, 'stuck for 44s! [init:1]', in xas_load under __filemap_get_folio from shmem_fault: init's instruction fetch faults on a page of a tmpfs file and the lookup retries for ever): the failed region frees [0x41b00000-0x41b0ffff] of the image's init sections at memblock_free_all, the initramfs's tmpfs pages reach it after 188 KiB, and free_initmem frees those pages again under the page cache, as on 7.2-arm64 f51c6152 (which see). Judged a hang since bootEnd reads a console that ends in a soft-lockup report of a CPU stuck 40 s or more; before, the bound's cut-off left it unjudged. Which file page lands there, and whether the boot reads it, is the initramfs's content: the plan warns kernel-image-freed",
  },
  '6.12-arm64': {
    c781a95c9d39aa27:
      "panic (Attempted to kill init!) after an oops in clear_page (init_on_alloc zeroing a new slab's page for tty_register_device_attr, an initcall, at the linear-map address of 0x44404000): the no-map modem@44350000 (a pool its handler refuses) is freed after paging_init built the linear map without it, and memblock_free_all hands its pages to the page allocator unmapped; found by the seed-40 sample (--many). Which allocation gets one first is the run's: the plan warns free-pages-unmapped",
    '067107e95fa3d297':
      "silent after an oops in clear_page (init_on_alloc zeroing a user page of init's first fault, at the linear-map address of 0x5c61c000): the no-map ramoops@5c600000 (a shared-dma-pool the handler refuses) is freed after paging_init built the linear map without it, and memblock_free_all hands its pages to the page allocator unmapped; found by the seed-40 sample (--many). Which allocation gets one first is the run's: the plan warns free-pages-unmapped",
    '3242c39213c30d97':
      "panic (Attempted to kill the idle task!) after an undefined instruction at clear_page+0x0 (its own code zeroed) from get_free_pages in ftrace_process_locs, ftrace_init: the failed reusable shared-dma-pool video_3@40d00000 (not CMA-aligned, over the kernel image at 0x40200000) is freed when its handler fails (drivers/of/of_reserved_mem.c), which takes [0x40d00000-0x414fffff] of the image's text out of its reservation, so memblock_free_all hands the page allocator kernel code whose linear alias is still writable before smp_cpus_done; found by the seed-34 sample (2 CPUs, 128 MiB). Which allocation first gets one of those pages, and which code it zeroes, is the page allocator's order and the code layout's (the lowest wholly free order-10 block, 0x41000000, is text): the plan warns kernel-image-freed (text below __init_begin)",
    '8b4943c52a591937':
      "silent after 'integrity: Machine keyring initialized' (an initcall): the failed reusable secmon@42900000 (4 MiB over the kernel image, a shared-dma-pool the CMA alignment refuses) is memblock_free'd with the image's reservation, so memblock_free_all hands the page allocator [0x42900000-0x42cfffff] of the running image (.data with the init stack and init_task, and .bss, past __init_end 0x42860000; movable allocations reach it after 2184 KiB); found by the seed-28 sample of layouts the lab had not recorded (6.12-arm64, 6.12-arm64-16k, 7.2-arm64 and 7.2-arm64-16k all hang on it; 5.10 and 6.1 reach /init). Which allocation takes those pages and what the overwritten data held is the run's: the plan warns kernel-image-freed",
    f51c615263a5e4c7:
      "hung, the CPU stuck in kernel_init for good (soft-lockup reports at 28 s and 52 s, 'stuck for 44s! [swapper/0:1]', in filemap_get_entry under shmem_file_read_iter from bprm_execve of /init), after 'BUG: Bad page state' from free_initmem: the same death as 7.2-arm64 f51c6152 on this case (which see), busybox's first page in the lone freed init page [0x42800000-0x42800fff]. Judged a hang since bootEnd reads a console that ends in a soft-lockup report of a CPU stuck 40 s or more; before, the bound's cut-off left it unjudged. Which file page lands there, and whether the boot reads it, is the initramfs's content: the plan warns kernel-image-freed",
  },
  '6.12-arm64-16k': {
    '067107e95fa3d297':
      "silent after an oops in clear_page (init_on_alloc zeroing a user page of init's first fault, at the linear-map address of 0x5c618000): the no-map ramoops@5c600000 (a shared-dma-pool the handler refuses) is freed after paging_init built the linear map without it, and memblock_free_all hands its pages to the page allocator unmapped; found by the seed-40 sample (--many). Which allocation gets one first is the run's: the plan warns free-pages-unmapped",
    '0b1fc79637849230':
      "silent after an oops in clear_page (init_on_alloc zeroing a shmem page of do_populate_rootfs, the async initramfs unpacking), and kernel_init waits for the initramfs for ever, as 7e81d987 on this build: the failed no-map reusable ramoops@3fe00000 (two reg entries, the first reaching into RAM) and fw@40000000 leave [0x40000000-0x401fffff] out of the linear map, 6.12 clears their MEMBLOCK_NOMAP and memblock_free_all hands the pages over unmapped; movable allocations reach them after 6272 KiB, less than the lab's initramfs unpacked into 16 KiB tmpfs pages (this build reached /init at 6928 KiB on 7f950567). Found by the seed-32 sample (4 CPUs, the first with the CPU dimension). How much the unpacking takes is the initramfs's: the plan warns free-pages-unmapped",
    '8b4943c52a591937':
      "silent after a refcount_warn_saturate WARNING in kthreadd (PID 2): the failed reusable secmon@42900000 (4 MiB over the kernel image, a shared-dma-pool the CMA alignment refuses) is memblock_free'd with the image's reservation, so memblock_free_all hands the page allocator [0x42900000-0x42cfffff] of the running image (.data and .bss past __init_end 0x428d0000; movable allocations reach it after 1296 KiB); found by the seed-28 sample of layouts the lab had not recorded (6.12-arm64, 6.12-arm64-16k, 7.2-arm64 and 7.2-arm64-16k all hang on it; 5.10 and 6.1 reach /init). Which allocation takes those pages and what the overwritten data held is the run's: the plan warns kernel-image-freed",
    a338c6d3d322106a:
      "panic (Attempted to kill init!) in crc32_be from of_fdt_raw_init (a late_initcall), a level-3 translation fault at 0xffffffffff604000 just past the fixmap mapping of the blob: the failed reusable pool@481e0000 [0x481e0000-0x485dffff] (compatible matching fail: not aligned for CMA on 16K pages) lies over QEMU's device tree blob at 0x48200000, so memblock_phys_free takes the blob's reservation with it and memblock_free_all gives its pages to the page allocator; by late_initcall an allocation has overwritten the header and fdt_totalsize reads 0x2020d4; found by booting every fast record in full (the 4K 6.12-arm64 and the other series reach /init on this case). Whether the blob's pages are overwritten by then is the run's: the plan warns fdt-pages-freed",
    fdcb773067517a67:
      "panic (Attempted to kill init!) in clear_page (init_on_alloc zeroing a new page, new_slab for alloc_inode from regmap_initcall, an initcall), at the linear-map address of 0x4c000000: the failed no-map reusable pool@4ba00000 (rmem_cma_setup and rmem_dma_setup refuse no-map + reusable) is a static region, whose handler 6.12 runs from unflatten_device_tree, after paging_init's map_mem left it out of the linear map; fdt_init_reserved_mem_node then only clears MEMBLOCK_NOMAP, so memblock_free_all hands [0x4ba00000-0x4f9fffff] to the page allocator unmapped, and once page_alloc_init_late has freed the deferred pages from 0x48000000 the lowest wholly free order-11 block is 0x4c000000, which the next allocation claiming a block for its migrate type gets. Booted in full from the seed-26 sample of the records the plan passed unwarned (6.12-arm64 reaches /init on this case: its default CMA area lies over most of the pool). When that claim comes is how much the boot has allocated: the plan warns free-pages-unmapped",
    '7e81d987a076aff3':
      "silent after an oops in clear_page (init_on_alloc zeroing a shmem page of do_populate_rootfs, the async initramfs unpacking, at the linear-map address of 0x40000000), and kernel_init waits for the initramfs for ever: the failed no-map reusable ramoops_1@3fe00000 reaches into RAM, and 6.12 clears its MEMBLOCK_NOMAP after paging_init left it out of the linear map, so memblock_free_all hands [0x40000000-0x401fffff] to the page allocator unmapped; the movable allocations reach them after 3424 KiB, which the lab's initramfs unpacked into 16 KiB tmpfs pages exceeds (6.12-arm64, 4 KiB pages, reaches /init at 5324 KiB; this build at 6928 KiB on 7f950567). Booted in full to follow up the new warning (every record it fires on, 18, is now full: 16 reach /init). How much the unpacking takes is the initramfs's: the plan warns free-pages-unmapped (and region-straddles-ram-start)",
    '82e0c7c5d3cbf4f5':
      "out of memory predicted as a panic ('System is deadlocked on memory', memblock_free_all hands the page allocator 10752 KiB; this build's ladder panicked at 7984 and 11952 KiB), the boot hung silently after 'IP idents hash table entries': init (a user_mode_thread, TASK_KILLABLE) waits in throttle_direct_reclaim for a kswapd that kswapd_init (a module_init) has not started, from xfrm_init's BTF parse in inet_init, while free pages sit below half the min watermark; 6.12's zone_reclaimable_pages counts the empty early-boot zone's free pages (mm/vmscan.c). Kernel threads are not throttled and reach out_of_memory: hand boots of this very record panicked 4 times in 5 with the console to a file, hung 5 of 5 with the lab's serial setup. Which task runs short first is decided at run time: the plan warns out-of-memory-may-hang",
  },
  '7.2-arm64-16k': {
    '527998ac3cc25032':
      "out of memory predicted as the plan's panic in bio_integrity_initfn (memblock_free_all hands the page allocator 13984 KiB with 2 CPUs; this build's one-CPU ladder died there at 11968 and 13952 KiB, and in out_of_memory at 9984 KiB), and it died in out_of_memory ('System is deadlocked on memory', no killable process) instead; found by the seed-40 sample. Which allocation runs short first this near the boundary is the run's: the outcome is predicted, not where",
    '4a3d158dcea5f17e':
      "panic: out of memory in bio_integrity_initfn ('bio: can't create integrity buf pool', an initcall): three NUMA nodes of 64, 64 and 0 MiB, a CPU each, with 29296 KiB handed to the page allocator, 3456 KiB above where the ladder's one-node boots of this build with three CPUs stop dying (node 0 keeps 15 MiB managed, node 1's free memory is mostly its 32 MiB CMA area); found by the seed-37 sample (--numa). How split nodes run short is not measured: the plan warns out-of-memory-unmeasured (NUMA, within 8 MiB of the boundary)",
    '8b4943c52a591937':
      "silent after 'Run /init as init process': the failed reusable secmon@42900000 (4 MiB over the kernel image, a shared-dma-pool the CMA alignment refuses) is memblock_free'd with the image's reservation, so memblock_free_all hands the page allocator [0x42900000-0x42cfffff] of the running image (init sections from __init_begin 0x42740000 to __init_end 0x42b50000, then .data and .bss; movable allocations reach it after 1520 KiB); found by the seed-28 sample of layouts the lab had not recorded (6.12-arm64, 6.12-arm64-16k, 7.2-arm64 and 7.2-arm64-16k all hang on it; 5.10 and 6.1 reach /init). Which allocation takes those pages and what the overwritten data held is the run's: the plan warns kernel-image-freed",
    be7c84dc6d06cc30:
      "out of memory predicted, the function not: memblock_free_all hands the page allocator 15072 KiB and the ladder's boots of this build at 14976, 15040 and 15984 KiB die in bio_integrity_initfn, at 17968 'System is deadlocked on memory'; this boot (a fast record booted in full) deadlocks at 15072: which allocation fails first depends on more than the amount (the ladder's squeeze is two static regions, this layout others)",
    '3cbc61ec91214d33':
      "silent after 'SLUB:': the failed reusable pool@42e00000 (16 MiB, not CMA-aligned) is freed by fdt_init_reserved_mem_node with [0x42e00000, _end) of the image (.data tail, .bss); with 16K pages' 32 MiB pageblocks no whole pageblock is free at 128 MiB, so the first unmovable allocation claims the pageblock [0x42000000, 0x44000000) of the largest free block (order 10, 0x43000000) and gets its smallest block first, order 7 at 0x42e00000 (page-alloc.ts). Traced under QEMU: create_kmalloc_caches' slabs zero the kernel's trace events (clear_page of 0x42e08000); trace_event_init WARNs on a nameless event, printing faults in console_flush_one_record, panic's restart notifiers fault again and again until the stack overflows (panic_bad_stack), all silently. How such a boot ends depends on what the zeroed data held (a board freeing only 0x42e00000-0x42e03fff oopses in acpi_fan_driver_init instead), not followed: the plan warns kernel-image-freed, that the first slab takes it",
  },
  '7.2-armmp': {
    '277cb043d6b58813':
      "panic in the idle task ('Oops - bad mode' at default_idle_call): CMA area ipc@7f000000 [0x7f000000-0x80ffffff] (a static reusable shared-dma-pool) reaches past the end of RAM (0x80000000), where mem_map has no struct pages, and cma_activate_area treats what lies past mem_map's end as the struct pages of pfn 0x80000 on, like 1d2a0134; found by the seed-39 sample (--many: 68 regions; 5.10's armmp kernels print 'CMA area ipc@7f000000 could not be activated' and reach /init, as the plan predicts). What that memory holds is not followed: the plan warns cma-area-without-struct-pages",
    '6e7bf7155faca1a5':
      "panic (Attempted to kill init! exitcode=0x0000000b) after an oops in mmioset: the page allocator gets [0x47040000-0x471fffff] from memblock_free_all, but dma_contiguous_remap cleared that PMD and mapped back only the CMA pool's own pages, and with highmem free the first allocation handed one of them is an unmovable one, zeroing it (mmioset) faults ('Unable to handle kernel paging request at virtual address c7040000'); found by the seed-35 sample (8 CPUs, 2 GiB). Which task's allocation that is, is the run's: the plan warns free-pages-unmapped",
    '0a8633ccebcd855d':
      "a hang in the core initcalls: CMA area vpu@be000000 [0xbe000000-0xc1ffffff] starts in HighMem and reaches past the end of RAM (0xc0000000), where mem_map has no struct pages; 7.2's cma_activate_area compares zone spans, not struct pages, and activates the area, past mem_map's end too; found by the seed-31 sample (5.10's armmp kernels print 'CMA area vpu@be000000 could not be activated' and reach /init, as the plan predicts). What that memory holds is not followed: the plan warns cma-area-without-struct-pages",
    '3497720824ddf38c':
      "panic (Attempted to kill init!) after an oops in filemap_get_entry (a kworker) and an undefined instruction in mempool_alloc_from_pool from bioset_init ('FP instruction issued in kernel mode'): the failed region frees [0x40300000-0x40606fff] of the image's code, which the first movable allocations get; booted in full again (the lab's fast boot had stopped after the reserved-memory lines). What the overwritten code does is the code's: the plan warns kernel-image-freed",
    '1d2a013421347a42':
      "silent inside 'BUG: Bad page state in process swapper/0 pfn:48001' (core initcalls): CMA area tee@47000000 [0x47000000-0x48ffffff] reaches past the end of RAM (0x48000000), where mem_map has no struct pages, and cma_activate_area reads and writes what lies past mem_map's end as the struct pages of pfn 0x48000 on; booted in full again. What that memory holds is not followed: the plan warns cma-area-without-struct-pages (5.10's armmp kernels print 'CMA area tee@47000000 could not be activated' instead and reach /init)",
  },
  '7.2-armmp-lpae': {
    b73669666f06ed34:
      "silent in paging_init after the MEMBLOCK dump (the memblock=debug boot's last line is its first early_alloc on 7.2-armmp-lpae), like 8160e30e: the static no-map vpu@3ff00000 [0x3ff00000-0x400fffff] (a shared-dma-pool whose handler refuses it) straddles RAM's start, and adjust_lowmem_bounds makes memblock.memory.regions[0] end at 0x40200000, below the end of the image, so prepare_page_table clears the kernel's own PMDs until paging_init maps them again; found by the seed-41 sample (--many: 62 carve-outs, 1 GiB; the same three builds hang on it as on 6.1-armmp). Whether the CPU's TLB still holds what it needs meanwhile is not the layout's: the plan warns kernel-unmapped-in-paging-init",
    '096e4b29a6133566':
      "hung as the plan predicts (vm_area_add_early, paging_init), but after UBSAN reports the plan does not print: nine CMA areas were fixed up for a dma_mmu_remap[] of MAX_CMA_AREAS (8) entries, which dma_contiguous_early_fixup does not bound (arch/arm/mm/dma-mapping.c); the ninth lands in the padding after the array (System.map: nothing until the next page) and dma_contiguous_remap reads it back, and this build's CONFIG_UBSAN_BOUNDS reports each access site once ('index 8 is out of range for type 'dma_contig_early_reserve [8]''), so the console ends on the report's '---[ end trace ]---'. The report names the build's source path and its call trace offsets; found by the seed-39 sample (--many: 154 regions)",
    '277cb043d6b58813':
      "panic (Attempted to kill init!) after 'BUG: Bad page state in process swapper/0 pfn:80001' and a NULL pointer dereference in get_pfnblock_migratetype: CMA area ipc@7f000000 [0x7f000000-0x80ffffff] (a static reusable shared-dma-pool) reaches past the end of RAM (0x80000000), where mem_map has no struct pages, and cma_activate_area treats what lies past mem_map's end as the struct pages of pfn 0x80000 on, like 1d2a0134; found by the seed-39 sample (--many: 68 regions; 5.10's armmp kernels print 'CMA area ipc@7f000000 could not be activated' and reach /init, as the plan predicts). What that memory holds is not followed: the plan warns cma-area-without-struct-pages",
    f1137fbdcfadab6e:
      "silent after 'cma: Failed to reserve 128 MiB' (paging_init): the static no-map region [0x40000000-0x4007ffff] makes memblock.memory.regions[0] end at 0x40080000, below the end of the image, and prepare_page_table clears the kernel's own PMDs until map_kernel maps them again; found by the seed-34 sample (2 CPUs). Whether the CPU's TLB still holds what it needs meanwhile is not the layout's: the plan warns kernel-unmapped-in-paging-init (every recorded 7.2-armmp-lpae boot with this warning hung, 7.2-armmp's lived: QEMU's TLB, not the kernel's code, decides)",
    '6e7bf7155faca1a5':
      "silent after 'cma: Reserved 128 MiB at 0x00000000b7c00000' (paging_init): memblock.memory.regions[0] ends at 0x40200000 (the failed no-map fw@3ff80000's part in RAM), below the end of the image, and prepare_page_table clears the kernel's own PMDs until map_kernel maps them again; found by the seed-35 sample (8 CPUs, 2 GiB). The TLB's, not the layout's: the plan warns kernel-unmapped-in-paging-init (and free-pages-unmapped, which the other 32-bit kernels died of here)",
    '0a8633ccebcd855d':
      "a panic in the core initcalls: CMA area vpu@be000000 [0xbe000000-0xc1ffffff] starts in HighMem and reaches past the end of RAM (0xc0000000), where mem_map has no struct pages; 7.2's cma_activate_area compares zone spans, not struct pages, and activates the area, past mem_map's end too; found by the seed-31 sample (5.10's armmp kernels print 'CMA area vpu@be000000 could not be activated' and reach /init, as the plan predicts). What that memory holds is not followed: the plan warns cma-area-without-struct-pages",
    '81eda70d5fa3119a':
      "silent after 'cma: Reserved 128 MiB at 0x00000000b8000000' (paging_init), like 520c4fdb: the no-map ramoops@3fff8000 reaching into RAM splits memblock.memory so that its first region ends at 0x40200000, below the end of the image 0x41eb6ec4, and prepare_page_table clears the kernel's own PMDs until map_kernel maps them again; found by the seed-30 sample (7.2-armmp, 2-level tables, reaches /init on it). Whether the CPU's TLB still holds what it needs meanwhile is not the layout's: the plan warns kernel-unmapped-in-paging-init",
    '520c4fdb5394bb5c':
      "silent after 'cma: Reserved 64 MiB at 0x0000000054000000' (paging_init): the no-map modem@3fff8000 reaching into RAM splits memblock.memory so that its first region ends at 0x40200000 (the plan's trace), below the end of the image 0x41eb6ec4, and prepare_page_table clears the kernel's own PMDs until map_kernel maps them again, as on the 9 seed-1 records of this build with such a layout (all hang; 7.2-armmp, 2-level tables, reaches /init on them); found by the seed-28 sample. Whether the CPU's TLB still holds what it needs meanwhile is not the layout's: the plan warns kernel-unmapped-in-paging-init",
    '5e840204449ff840':
      "silent after 'cma: Failed to reserve 128 MiB' (paging_init; the memblock=debug boot's last line is its first early_alloc, 4096 bytes at 0x403ff000): mem=256M and the static no-map ramoops@41f00000 make memblock.memory.regions[0] [0x40000000-0x41efffff], which ends above the end of the image (0x41eb6ec4) but inside its last 2 MiB PMD, and prepare_page_table clears from pmd_off_k(__phys_to_virt(end)), the PMD of [0x41e00000-0x41ffffff], so the image's last PMD goes until map_kernel maps it again; booted in full (seed-23 sample of the records the plan passed unwarned). The plan warns kernel-unmapped-in-paging-init (its test compared the region's end, not the PMD it lies in, with the image's end until this boot showed it)",
    '091b3480df7a23b8':
      "silent after 'cma: Reserved 128 MiB at 0x0000000066000000' (paging_init), like 8160e30e: memblock.memory.regions[0] ends below the end of the image, so prepare_page_table clears the kernel's own PMDs until map_kernel maps them again; booted in full again (the lab's fast boot had stopped after the reserved-memory lines). This build hangs on all 8 recorded boots with such a layout, 7.2-armmp (2-level tables) reaches /init on the same 8 cases: the plan warns kernel-unmapped-in-paging-init",
    d72f0c7af569b773:
      "silent after 'cma: Reserved 128 MiB at 0x0000000077e00000' (paging_init), like 8160e30e: memblock.memory.regions[0] ends below the end of the image, so prepare_page_table clears the kernel's own PMDs until map_kernel maps them again; booted in full again (the lab's fast boot had stopped after the reserved-memory lines). This build hangs on all 8 recorded boots with such a layout, 7.2-armmp (2-level tables) reaches /init on the same 8 cases: the plan warns kernel-unmapped-in-paging-init",
    d536bc9acbfc5742:
      "silent after 'cma: Reserved 128 MiB at 0x0000000068000000' (paging_init), like 8160e30e: memblock.memory.regions[0] ends below the end of the image, so prepare_page_table clears the kernel's own PMDs until map_kernel maps them again; booted in full again (the lab's fast boot had stopped after the reserved-memory lines), and by hand with QEMU's -d int: a prefetch abort at 0xc0431c44, the out-of-line pmd_offset in .text that map_lowmem's __create_mapping calls while the image is unmapped, then prefetch aborts for ever at the vectors (0xffff000c, not mapped before devicemaps_init). This build hangs on all 8 recorded boots with such a layout, 7.2-armmp (2-level tables) reaches /init on the same 8 cases: the plan warns kernel-unmapped-in-paging-init",
    '7955d0152c84db20':
      "silent after 'cma: Reserved 128 MiB at 0x00000000f7e00000' (paging_init), like 8160e30e: memblock.memory.regions[0] ends below the end of the image, so prepare_page_table clears the kernel's own PMDs until map_kernel maps them again; booted in full again (the lab's fast boot had stopped after the reserved-memory lines). This build hangs on all 8 recorded boots with such a layout, 7.2-armmp (2-level tables) reaches /init on the same 8 cases: the plan warns kernel-unmapped-in-paging-init",
    '1ffe910f23ef7333':
      "silent after 'cma: Reserved 128 MiB at 0x0000000057c00000' (paging_init), like 8160e30e: memblock.memory.regions[0] ends below the end of the image, so prepare_page_table clears the kernel's own PMDs until map_kernel maps them again; booted in full again (the lab's fast boot had stopped after the reserved-memory lines). This build hangs on all 8 recorded boots with such a layout, 7.2-armmp (2-level tables) reaches /init on the same 8 cases: the plan warns kernel-unmapped-in-paging-init",
    '306a6f0e1df0d3ab':
      "silent after 'cma: Reserved 128 MiB at 0x00000000b6000000' (paging_init), like 8160e30e: memblock.memory.regions[0] ends below the end of the image, so prepare_page_table clears the kernel's own PMDs until map_kernel maps them again; booted in full again (the lab's fast boot had stopped after the reserved-memory lines). This build hangs on all 8 recorded boots with such a layout, 7.2-armmp (2-level tables) reaches /init on the same 8 cases: the plan warns kernel-unmapped-in-paging-init",
    b185d4d189b01d1b:
      "silent after 'cma: Reserved 128 MiB at 0x0000000075c00000' (paging_init), like 8160e30e: memblock.memory.regions[0] ends below the end of the image, so prepare_page_table clears the kernel's own PMDs until map_kernel maps them again; booted in full again (the lab's fast boot had stopped after the reserved-memory lines). This build hangs on all 8 recorded boots with such a layout, 7.2-armmp (2-level tables) reaches /init on the same 8 cases: the plan warns kernel-unmapped-in-paging-init",
    f35f99c8a79a3db4:
      "panic (Attempted to kill init!) in get_pfnblock_migratetype from bad_page, after 'BUG: Bad page state in process swapper/0 pfn:48003': CMA area dsp_3@47e00000 [0x47e00000-0x481fffff] reaches past the end of RAM (0x48000000), where mem_map has no struct pages, and init_cma_reserved_pageblock (cma_init_reserved_areas) frees what lies past mem_map's end as pages; booted in full again. What that memory holds is not followed: the plan warns cma-area-without-struct-pages (66951dd5, also reaching past RAM, boots)",
    '8160e30e9f4467dc':
      "prepare_page_table clears the kernel's own PMDs (memblock.memory.regions[0] is a no-map piece below the kernel) until map_kernel maps them again; traced with QEMU: a literal load in paging_init misses the TLB and faults. The other seven arm kernels boot the case: TLB and code layout decide, so the plan warns (kernel-unmapped-in-paging-init)",
  },
  '6.12-armmp': {
    b73669666f06ed34:
      "silent in paging_init after the MEMBLOCK dump (the memblock=debug boot's last line is its first early_alloc on 6.12-armmp), like 8160e30e: the static no-map vpu@3ff00000 [0x3ff00000-0x400fffff] (a shared-dma-pool whose handler refuses it) straddles RAM's start, and adjust_lowmem_bounds makes memblock.memory.regions[0] end at 0x40200000, below the end of the image, so prepare_page_table clears the kernel's own PMDs until paging_init maps them again; found by the seed-41 sample (--many: 62 carve-outs, 1 GiB; the same three builds hang on it as on 6.1-armmp). Whether the CPU's TLB still holds what it needs meanwhile is not the layout's: the plan warns kernel-unmapped-in-paging-init",
    '277cb043d6b58813':
      "silent inside the third 'BUG: Bad page state in process swapper/0' (pfn 0x80039 to 0x8003b, core initcalls): CMA area ipc@7f000000 [0x7f000000-0x80ffffff] (a static reusable shared-dma-pool) reaches past the end of RAM (0x80000000), where mem_map has no struct pages, and cma_activate_area treats what lies past mem_map's end as the struct pages of pfn 0x80000 on, like 1d2a0134; found by the seed-39 sample (--many: 68 regions; 5.10's armmp kernels print 'CMA area ipc@7f000000 could not be activated' and reach /init, as the plan predicts). What that memory holds is not followed: the plan warns cma-area-without-struct-pages",
    '6e7bf7155faca1a5':
      "silent after an oops in mmioset in another task: the page allocator gets [0x47040000-0x471fffff] from memblock_free_all, but dma_contiguous_remap cleared that PMD and mapped back only the CMA pool's own pages, and with highmem free the first allocation handed one of them is an unmovable one, zeroing it (mmioset) faults ('Unable to handle kernel paging request at virtual address c7040000'); found by the seed-35 sample (8 CPUs, 2 GiB). Which task's allocation that is, is the run's: the plan warns free-pages-unmapped",
    '0a8633ccebcd855d':
      "silent or dead in the core initcalls (the lab's boot: a hang): CMA area vpu@be000000 [0xbe000000-0xc1ffffff] starts in HighMem and reaches past the end of RAM (0xc0000000), where mem_map has no struct pages; 6.12's cma_activate_area checks every page's zone first and, finding what lies past mem_map's end not to read as ZONE_HIGHMEM, gives every page back, those past mem_map included; found by the seed-31 sample (5.10's armmp kernels print 'CMA area vpu@be000000 could not be activated' and reach /init, as the plan predicts). What that memory holds is not followed: the plan warns cma-area-without-struct-pages",
  },
  '6.12-armmp-lpae': {
    '277cb043d6b58813':
      "silent inside the third 'BUG: Bad page state in process swapper/0' (pfn 0x80039 to 0x8003b, core initcalls): CMA area ipc@7f000000 [0x7f000000-0x80ffffff] (a static reusable shared-dma-pool) reaches past the end of RAM (0x80000000), where mem_map has no struct pages, and cma_activate_area treats what lies past mem_map's end as the struct pages of pfn 0x80000 on, like 1d2a0134; found by the seed-39 sample (--many: 68 regions; 5.10's armmp kernels print 'CMA area ipc@7f000000 could not be activated' and reach /init, as the plan predicts). What that memory holds is not followed: the plan warns cma-area-without-struct-pages",
    '6e7bf7155faca1a5':
      "panic (Attempted to kill init! exitcode=0x0000000b) after an oops in mmioset: the page allocator gets [0x47040000-0x471fffff] from memblock_free_all, but dma_contiguous_remap cleared that PMD and mapped back only the CMA pool's own pages, and with highmem free the first allocation handed one of them is an unmovable one, zeroing it (mmioset) faults ('Unable to handle kernel paging request at virtual address c7040000'); found by the seed-35 sample (8 CPUs, 2 GiB). Which task's allocation that is, is the run's: the plan warns free-pages-unmapped",
    '0a8633ccebcd855d':
      "silent or dead in the core initcalls (the lab's boot: a hang): CMA area vpu@be000000 [0xbe000000-0xc1ffffff] starts in HighMem and reaches past the end of RAM (0xc0000000), where mem_map has no struct pages; 6.12's cma_activate_area checks every page's zone first and, finding what lies past mem_map's end not to read as ZONE_HIGHMEM, gives every page back, those past mem_map included; found by the seed-31 sample (5.10's armmp kernels print 'CMA area vpu@be000000 could not be activated' and reach /init, as the plan predicts). What that memory holds is not followed: the plan warns cma-area-without-struct-pages",
  },
};

test('lab replay: plan() agrees with every recorded boot', (t) => {
  const byKernel = recordsByKernel();
  if (byKernel.size === 0) return t.skip('no lab recordings under data/lab yet');
  const failures: string[] = [];
  const summary: string[] = [];
  for (const [kernel, records] of [...byKernel].sort()) {
    let ok = 0;
    let lines = 0;
    let allocs = 0;
    let truncated = 0;
    let died = 0;
    let contCompared = 0;
    let contUnrecorded = 0;
    let unprefCompared = 0;
    let unprefUnrecorded = 0;
    let cmdLines = 0;
    let memAll = 0;
    let memPart = 0;
    // 32-bit lines also give highmem
    const highmem = records[0] && recordProfile(records[0])?.arch === 'arm' ? ', highmem' : '';
    const ends = new Map<string, number>();
    let predicted = 0;
    let traceCut = 0;
    const unpredicted: string[] = [];
    const deaths = new Set<string>();
    const outcomeOnly: string[] = [];
    const otherOutcome: string[] = [];
    for (const r of records) {
      let out: CaseOutcome;
      try {
        out = replayCase(r);
      } catch (e) {
        out = {
          caseId: r.caseId,
          ok: false,
          problems: [`plan threw: ${e instanceof Error ? e.stack?.split('\n').slice(0, 3).join(' | ') : String(e)}`],
        };
      }
      lines += out.lines ?? 0;
      if (out.truncated) truncated++;
      allocs += out.allocs ?? 0;
      cmdLines += out.commandLine ?? 0;
      contCompared += out.continuation?.compared ?? 0;
      contUnrecorded += out.continuation?.unrecorded ?? 0;
      unprefCompared += out.unprefixed?.compared ?? 0;
      unprefUnrecorded += out.unprefixed?.unrecorded ?? 0;
      if (out.memoryLine === 'all') memAll++;
      else if (out.memoryLine) memPart++;
      if (out.end) ends.set(out.end, (ends.get(out.end) ?? 0) + 1);
      if (out.died) {
        died++;
        if (out.predicted) predicted++;
        if (out.traceCut) traceCut++;
        if (!out.predicted) unpredicted.push(`${out.caseId} ${out.died}`);
        deaths.add(out.caseId);
        const open = OPEN_DEATHS[kernel]?.[out.caseId];
        if (!out.predicted && open === undefined)
          failures.push(`${kernel} ${out.caseId}: the boot died (${out.died}), the plan does not predict it`);
        if (out.predicted && out.ok && open !== undefined)
          failures.push(`${kernel} ${out.caseId}: now predicted, drop it from OPEN_DEATHS`);
        // a listed death whose outcome the plan predicts, but not where or with which message: still open
        if (out.predicted && !out.ok && open !== undefined && out.problems.every((x) => x.startsWith('boot: '))) {
          outcomeOnly.push(out.caseId);
          ok++;
          continue;
        }
        // a listed death the plan predicts as the other kind (a panic for a hang): a race the
        // plan warns of (out-of-memory-may-hang), still open
        if (!out.predicted && !out.ok && open !== undefined && out.problems.every((x) => x.startsWith('boot: '))) {
          otherOutcome.push(out.caseId);
          ok++;
          continue;
        }
      }
      if (out.ok) ok++;
      else failures.push(`${kernel} ${out.caseId}${r.index !== undefined ? ` (#${r.index})` : ''}: ${out.problems.join(' ; ')}`);
    }
    for (const id of Object.keys(OPEN_DEATHS[kernel] ?? {}))
      if (!deaths.has(id)) failures.push(`${kernel} ${id}: listed in OPEN_DEATHS, but no recorded boot of it died`);
    const pct = records.length ? ((100 * ok) / records.length).toFixed(1) : 'n/a';
    const n = (end: string) => ends.get(end) ?? 0;
    summary.push(
      `${kernel}: ${ok}/${records.length} cases agree (${pct}%); ${lines} log lines (${contCompared} of them continuation lines${contUnrecorded ? `; ${contUnrecorded} more predicted, the records predate keeping them` : ''}; ${unprefCompared} unprefixed${unprefUnrecorded ? `; ${unprefUnrecorded} more predicted, the records predate keeping them` : ''}), ${cmdLines} command-line lines (crashkernel=, reserve_mem=, unknown and malformed parameters) and ${allocs} dynamic placements compared` +
        (memAll ? `; "Memory:" line in ${memAll} boots (available, total, reserved, cma-reserved${highmem})` : '') +
        (memPart
          ? `; "Memory:" line in ${memPart} boots (total, reserved, cma-reserved${highmem}; the series prints available after start_kernel's own allocations)`
          : '') +
        `; boots: ${n('panic')} crashed, ${n('hang')} hung, ${n('cut-off')} cut off by the bound while still printing${n('unmeasured') ? `, ${n('unmeasured')} stopped by the bound with their silence unmeasured` : ''} (outcome not judged)` +
        (truncated ? `; ${truncated} boot(s) stopped early, compared up to where the kernel stopped` : '') +
        (died
          ? `; ${predicted - outcomeOnly.length}/${died} boots that died predicted (outcome, function, message${traceCut ? `; ${traceCut} with the console cut inside the call trace: outcome and message only` : ''})${outcomeOnly.length ? `, outcome only (listed open): ${outcomeOnly.join(', ')}` : ''}${otherOutcome.length ? `, predicted as the other kind of death (listed open): ${otherOutcome.join(', ')}` : ''}${unpredicted.length ? `, not predicted: ${unpredicted.join(', ')}` : ''}`
          : ''),
    );
  }
  t.diagnostic(summary.join('\n'));
  process.stdout.write(`# replay agreement\n# ${summary.join('\n# ')}\n`);
  if (failures.length) {
    process.stdout.write(`# disagreements (first 40 of ${failures.length}):\n# ${failures.slice(0, 40).join('\n# ')}\n`);
  }
  assert.equal(failures.length, 0, `${failures.length} case(s) disagree:\n${failures.slice(0, 20).join('\n')}`);
});

test('lab replay: a real console with a multi-line message compares line for line, continuation included', () => {
  // fixtures/6.12-arm64-overlap.*: what `carveout verify` booted (QEMU virt, 512 MiB) and its console
  const fx = join(dirname(fileURLToPath(import.meta.url)), '..', 'verify', 'fixtures');
  const o = parseConsole('6.12-arm64', gunzipSync(readFileSync(join(fx, '6.12-arm64-overlap.log.gz'))).toString('latin1'));
  const board = loadBoard(join(fx, '6.12-arm64-overlap.dts'), { platform: 'qemu-virt', arch: 'arm64', ram: 512n << 20n });
  const p = plan(board, { kernel: '6.12-arm64', ...(o.commandLine !== undefined ? { bootargs: o.commandLine } : {}) });
  const ofRmem = (lines: { text: string }[]) =>
    lines.map((l) => l.text).filter((t, k, a) => t.startsWith('OF: reserved mem: ') || a[k - 1]?.endsWith('OVERLAP DETECTED!'));
  const want = ofRmem(o.log);
  assert.equal(want.length, 5);
  assert.deepEqual(ofRmem(p.log), want);
});
