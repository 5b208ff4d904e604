// SPDX-License-Identifier: GPL-2.0
/*
 * Test driver for QEMU's "edu" PCI device (1234:11e8): a DMA master whose
 * every transfer we choose, so kselftests can check that data written by
 * the CPU reaches the device, and the reverse, through whatever DMA ops
 * the device has (iommu-dma, or rudma's when attached).
 *
 * The device has a 4 KiB buffer at device address 0x40000 and a DMA
 * engine (source, destination, count, command registers) that QEMU runs
 * after a short timer.  Its DMA mask is 28 bits.  QEMU (7.2) aborts the
 * whole machine on a transfer its range check rejects, and that check
 * also rejects one that ends at the buffer's last byte: transfers are
 * therefore kept to EDU_XFER_MAX bytes, checked here first.
 *
 * debugfs, per bound device:
 *   /sys/kernel/debug/rudma_edu/<DDDD:BB:DD.F>/roundtrip
 *	write "SIZE [OFFSET]" (SIZE <= 4095, OFFSET < PAGE_SIZE): a SIZE-byte
 *	pattern at OFFSET into a buffer is
 *	mapped to-device and copied into the device, then copied back into a
 *	second buffer mapped from-device, and compared.  The write fails
 *	with -EIO on a mismatch or a device timeout, -EINVAL on bad input.
 *	Reading gives the number of good and bad round trips.
 *   /sys/kernel/debug/rudma_edu/<DDDD:BB:DD.F>/stale
 *	write anything: the device writes to an IOVA that was mapped and
 *	unmapped again, then to one never mapped.  Under a strict IOMMU both
 *	must fault (virtio-iommu logs them) and leave memory as it was; the
 *	write fails with -EIO if memory changed, -EAGAIN if the unmapped IOVA
 *	still translates to the buffer (lazy invalidation), -ENXIO without an
 *	IOMMU domain.  Behind a bounce pool the unmapped IOVA is a cached
 *	slot: it may still translate, to the slot, and then does not fault.
 *	Reading gives "faults_expected=N": faults all stale runs should have
 *	caused so far.
 *   /sys/kernel/debug/rudma_edu/<DDDD:BB:DD.F>/persistent
 *	write "ROUNDS ATTR [PAGE]" (ROUNDS 1..100, ATTR 0 or 1, PAGE 0 or 1):
 *	the consumer of DMA_ATTR_PERSISTENT_STREAMING.  One buffer (256
 *	bytes of kmalloc memory, or with PAGE a whole page, of which the
 *	device moves its first 4095 bytes) is mapped once,
 *	bidirectionally, with the attribute if ATTR is 1; each round the CPU
 *	writes a new pattern into it and the device reads it, then the device
 *	writes a new pattern into it and the CPU reads it -- never a
 *	dma_sync_*() call, as drivers that keep caches coherent themselves
 *	do.  Reading gives "fresh=N stale=M" for the last run: every
 *	observation is fresh when the mapping is in place (the attribute, or
 *	no bounce pool); behind a bounce pool without the attribute both
 *	sides see stale data, which is why the attribute exists.
 *   /sys/kernel/debug/rudma_edu/<DDDD:BB:DD.F>/iova
 *	write up to 1 MiB of data: the two-stage API's consumer.  The pages
 *	of the written buffer are pinned and linked page by page into one
 *	IOVA range (dma_iova_try_alloc/link/sync), the device reads and
 *	writes through it at its start, across a page boundary and at its
 *	end, and every byte is checked; then the second half is unlinked
 *	(dma_iova_unlink) and the rest destroyed (dma_iova_destroy).  If
 *	dma_iova_try_alloc() says no (no IOMMU translation), each page is
 *	mapped with dma_map_page() instead and checked the same way.
 *	Reading gives "mode=iova|classic pages=N checks=N bad=N".
 *   /sys/kernel/debug/rudma_edu/<DDDD:BB:DD.F>/iova_misuse
 *	write a case: unaligned, outside, twice, sync-unlinked,
 *	unlink-never, free-linked, bogus-state.  Each misuses the API and
 *	checks it was refused or cleaned up; -EIO if not.
 *   /sys/kernel/debug/rudma_edu/<DDDD:BB:DD.F>/iova_bench
 *	write "classic|iova PAGES ROUNDS": times mapping PAGES pages one by
 *	one (dma_map_page) and unmapping them, or reserving, linking, one
 *	sync and destroy, ROUNDS times; reading gives the mean ns per round
 *	of each half: "map_ns=N unmap_ns=N".
 *   /sys/kernel/debug/rudma_edu/<DDDD:BB:DD.F>/secret
 *	write anything: what an untrusted device can read of a bounce slot.
 *	A page full of a secret byte is mapped to-device and unmapped (its
 *	slot is cached with the secret in it); then 64 bytes in the middle
 *	of another secret-filled page are mapped to-device, and the device
 *	reads the whole slot around them (4095 bytes from the slot's start).
 *	It must see the 64 bytes and zeros, never the secret: -EIO if it
 *	does.  Meant for a device marked untrusted behind rudma's pool.
 *   /sys/kernel/debug/rudma_edu/<DDDD:BB:DD.F>/persistent_secret
 *	write anything: what an untrusted device can reach around a
 *	sub-page DMA_ATTR_PERSISTENT_STREAMING mapping.  64 bytes in the
 *	middle of a page full of a secret byte are mapped to-device with the
 *	attribute.  If the mapping is refused, nothing is reachable; if not,
 *	the device reads the 4095 bytes from the start of the page-aligned
 *	IOVA around it and must see no secret byte: -EIO if it does.
 *	Reading gives "refused=N leaked=N" for the last run.
 *   /sys/kernel/debug/rudma_edu/<DDDD:BB:DD.F>/held
 *	write "map": maps 64 bytes of a kmalloc buffer from-device and keeps
 *	the mapping (on an untrusted device iommu-dma bounces it through
 *	swiotlb); write "check": the device writes a pattern into the held
 *	mapping, dma_sync_single_for_cpu() brings it to the CPU, the buffer
 *	is compared (-EIO if stale) and the mapping is unmapped.  -EBUSY for
 *	a second map, -ENOENT for a check with nothing held.  Meant to span
 *	a rudma attach and detach.  Reading gives "skip_sync=0|1", the
 *	device's dma_skip_sync flag: with a bounced mapping live it must be
 *	0, or on kernels without DMA_API_DEBUG (which never skips) the
 *	inline dma_sync_*() calls would skip that mapping's syncs.
 *   /sys/kernel/debug/rudma_edu/<DDDD:BB:DD.F>/translated
 *	write an IOVA (hex): succeeds if it translates in the device's
 *	domain, -ENOENT if not.
 *   /sys/kernel/debug/rudma_edu/<DDDD:BB:DD.F>/untrusted
 *	write 0 or 1: sets the PCI device's "untrusted" flag, as firmware
 *	does for devices behind external ports (test only: set it before
 *	rudma attaches, with no mapping outstanding).
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/highmem.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include <rudma/dma-attrs.h>
#include <rudma/dma-iova.h>

#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8
#define EDU_REG_ID		0x00
#define EDU_REG_LIVENESS	0x04
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_COUNT	0x90
#define EDU_REG_DMA_CMD		0x98
#define EDU_DMA_START		BIT(0)
#define EDU_DMA_TO_RAM		BIT(1)
#define EDU_BUF_ADDR		0x40000
#define EDU_BUF_SIZE		4096
#define EDU_XFER_MAX		(EDU_BUF_SIZE - 1)
#define EDU_DMA_BITS		28	/* QEMU's default dma_mask */
#define EDU_DMA_TIMEOUT_MS	2000

/*
 * QEMU's edu truncates DMA addresses to its dma_mask property, 28 bits
 * unless set: enough on x86-64 with an IOMMU or RAM below 256 MiB, but
 * arm64's virt has no RAM below 1 GiB, so its passthrough runs give edu a
 * wider mask (-device edu,dma_mask=...) and this driver the same width.
 */
static unsigned int dma_bits = EDU_DMA_BITS;
module_param(dma_bits, uint, 0444);
MODULE_PARM_DESC(dma_bits, "the edu device's DMA address width (its dma_mask), 28..64");

struct edu {
	struct pci_dev *pdev;
	void __iomem *mmio;
	struct dentry *dir;
	struct mutex lock;	/* one transfer at a time */
	unsigned long good, bad;
	unsigned long faults_expected;	/* by stale runs, for the test */
	unsigned long fresh, stale;	/* last persistent run */
	unsigned long refused, leaked;	/* last persistent_secret run */
	u8 *held_buf;			/* the held mapping, if any */
	dma_addr_t held_addr;
	bool iova_mode;			/* last iova run: two-stage used */
	unsigned long iova_pages, iova_checks, iova_bad;
	u64 bench_map_ns, bench_unmap_ns;
};

static struct dentry *edu_root;

static int edu_dma(struct edu *edu, dma_addr_t ram, size_t len, bool to_ram)
{
	unsigned int waited;

	writeq(to_ram ? EDU_BUF_ADDR : ram, edu->mmio + EDU_REG_DMA_SRC);
	writeq(to_ram ? ram : EDU_BUF_ADDR, edu->mmio + EDU_REG_DMA_DST);
	writeq(len, edu->mmio + EDU_REG_DMA_COUNT);
	writeq(EDU_DMA_START | (to_ram ? EDU_DMA_TO_RAM : 0),
	       edu->mmio + EDU_REG_DMA_CMD);
	for (waited = 0; waited < EDU_DMA_TIMEOUT_MS; waited++) {
		if (!(readq(edu->mmio + EDU_REG_DMA_CMD) & EDU_DMA_START))
			return 0;
		usleep_range(1000, 2000);
	}
	dev_err(&edu->pdev->dev, "DMA of %zu bytes timed out\n", len);
	return -EIO;
}

/*
 * Maps @buf for the direction of the transfer, has the device copy @len
 * bytes from it (to_ram false) or into it (to_ram true), and unmaps it.
 */
static int edu_xfer(struct edu *edu, void *buf, size_t len, bool to_ram)
{
	enum dma_data_direction dir = to_ram ? DMA_FROM_DEVICE : DMA_TO_DEVICE;
	struct device *dev = &edu->pdev->dev;
	dma_addr_t a;
	int ret;

	a = dma_map_single(dev, buf, len, dir);
	if (dma_mapping_error(dev, a))
		return -ENOMEM;
	ret = edu_dma(edu, a, len, to_ram);
	dma_unmap_single(dev, a, len, dir);
	return ret;
}

static int edu_roundtrip(struct edu *edu, size_t size, size_t offset)
{
	struct device *dev = &edu->pdev->dev;
	u8 *src, *dst;
	size_t i;
	int ret;

	src = kmalloc(offset + size, GFP_KERNEL);
	dst = kzalloc(offset + size, GFP_KERNEL);
	if (!src || !dst) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < size; i++)
		src[offset + i] = (u8)(i * 7 + size + offset);

	ret = edu_xfer(edu, src + offset, size, false);
	if (ret)
		goto out;
	ret = edu_xfer(edu, dst + offset, size, true);
	if (ret)
		goto out;

	if (memcmp(src + offset, dst + offset, size)) {
		dev_err(dev, "round trip of %zu bytes at offset %zu: data differs\n",
			size, offset);
		ret = -EIO;
	}
out:
	kfree(src);
	kfree(dst);
	return ret;
}

/* Loads the device buffer with @len bytes of @val. */
static int edu_fill(struct edu *edu, u8 val, size_t len)
{
	u8 *buf;
	int ret;

	buf = kmalloc(len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	memset(buf, val, len);
	ret = edu_xfer(edu, buf, len, false);
	kfree(buf);
	return ret;
}

static int edu_stale(struct edu *edu)
{
	struct device *dev = &edu->pdev->dev;
	struct iommu_domain *dom = iommu_get_domain_for_dev(dev);
	/*
	 * Short: QEMU's IOMMUs report each 4-byte access that faults, and
	 * the kernel logs at most 10 reports per 5 s; both addresses'
	 * faults must fit.
	 */
	const size_t len = 8;
	dma_addr_t stale, never;
	phys_addr_t phys;
	u8 *victim;
	size_t i;
	int ret;

	if (!dom)
		return -ENXIO;
	ret = edu_fill(edu, 0x55, len);
	if (ret)
		return ret;
	victim = (u8 *)__get_free_page(GFP_KERNEL);
	if (!victim)
		return -ENOMEM;
	memset(victim, 0xaa, PAGE_SIZE);
	stale = dma_map_single(dev, victim, PAGE_SIZE, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, stale)) {
		ret = -ENOMEM;
		goto out;
	}
	dma_unmap_single(dev, stale, PAGE_SIZE, DMA_FROM_DEVICE);
	phys = iommu_iova_to_phys(dom, stale);
	if (phys == virt_to_phys(victim)) {
		dev_info(dev, "stale: %pad still translates to the buffer (lazy IOMMU)\n",
			 &stale);
		ret = -EAGAIN;
		goto out;
	}
	/*
	 * A bounce pool keeps its slots mapped after unmap: the stale address
	 * may still translate, but only to a slot, never to the buffer.  The
	 * write then lands in the slot and does not fault.
	 */
	if (phys)
		dev_info(dev, "stale: %pad is a cached bounce slot\n", &stale);
	else
		edu->faults_expected++;
	ret = edu_dma(edu, stale, len, true);
	if (ret)
		goto out;
	/* An address a power of two away, checked to be unmapped. */
	for (i = 0; i < 8; i++) {
		never = (stale ^ (SZ_1M << i)) & DMA_BIT_MASK(dma_bits) & PAGE_MASK;
		if (!iommu_iova_to_phys(dom, never))
			break;
	}
	if (i == 8) {
		dev_info(dev, "stale: no unmapped address found near %pad\n", &stale);
	} else {
		edu->faults_expected++;
		ret = edu_dma(edu, never, len, true);
		if (ret)
			goto out;
	}
	for (i = 0; i < PAGE_SIZE; i++) {
		if (victim[i] != 0xaa) {
			dev_err(dev, "stale: device wrote through %pad (byte %zu is %#x)\n",
				&stale, i, victim[i]);
			ret = -EIO;
			break;
		}
	}
out:
	free_page((unsigned long)victim);
	return ret;
}

static ssize_t stale_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	struct edu *edu = file->private_data;
	int ret;

	mutex_lock(&edu->lock);
	ret = edu_stale(edu);
	mutex_unlock(&edu->lock);
	return ret ? ret : count;
}

static ssize_t stale_read(struct file *file, char __user *ubuf, size_t count,
			  loff_t *ppos)
{
	struct edu *edu = file->private_data;
	char buf[48];
	int n;

	mutex_lock(&edu->lock);
	n = scnprintf(buf, sizeof(buf), "faults_expected=%lu\n",
		      edu->faults_expected);
	mutex_unlock(&edu->lock);
	return simple_read_from_buffer(ubuf, count, ppos, buf, n);
}

static const struct file_operations stale_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = stale_read,
	.write = stale_write,
};

/*
 * The DMA_ATTR_PERSISTENT_STREAMING consumer: see "persistent" above.
 * Counts, for the last run, observations of fresh and of stale data.
 */
static int edu_persistent(struct edu *edu, unsigned int rounds, bool attr,
			  bool whole_page)
{
	unsigned long attrs = attr ? DMA_ATTR_PERSISTENT_STREAMING : 0;
	struct device *dev = &edu->pdev->dev;
	const size_t map_len = whole_page ? PAGE_SIZE : 256;
	const size_t len = min_t(size_t, map_len, EDU_XFER_MAX);
	u8 *buf, *chk;
	unsigned int i;
	dma_addr_t a;
	int ret = 0;

	edu->fresh = 0;
	edu->stale = 0;
	buf = whole_page ? (u8 *)get_zeroed_page(GFP_KERNEL) :
			   kzalloc(map_len, GFP_KERNEL);
	chk = kzalloc(len, GFP_KERNEL);
	if (!buf || !chk) {
		ret = -ENOMEM;
		goto out;
	}
	a = dma_map_single_attrs(dev, buf, map_len, DMA_BIDIRECTIONAL, attrs);
	if (dma_mapping_error(dev, a)) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < rounds && !ret; i++) {
		/* Never equal to each other, to 0, or to an earlier round's. */
		u8 v = 0x10 + i, w = 0x80 + i;

		/* CPU -> device, no sync: the device must see @v. */
		memset(buf, v, len);
		ret = edu_dma(edu, a, len, false);
		if (!ret)
			ret = edu_xfer(edu, chk, len, true);
		if (ret)
			break;
		if (memchr_inv(chk, v, len))
			edu->stale++;
		else
			edu->fresh++;
		/* device -> CPU, no sync: the CPU must see @w. */
		memset(chk, w, len);
		ret = edu_xfer(edu, chk, len, false);
		if (!ret)
			ret = edu_dma(edu, a, len, true);
		if (ret)
			break;
		if (memchr_inv(buf, w, len))
			edu->stale++;
		else
			edu->fresh++;
	}
	dma_unmap_single_attrs(dev, a, map_len, DMA_BIDIRECTIONAL, attrs);
out:
	if (whole_page)
		free_page((unsigned long)buf);
	else
		kfree(buf);
	kfree(chk);
	return ret;
}

static ssize_t persistent_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct edu *edu = file->private_data;
	unsigned int rounds, attr, whole = 0;
	char buf[32];
	int n, ret;

	if (count == 0 || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	n = sscanf(buf, "%u %u %u", &rounds, &attr, &whole);
	if (n < 2 || !rounds || rounds > 100 || attr > 1 || whole > 1) {
		dev_err(&edu->pdev->dev,
			"persistent: want 'ROUNDS(1..100) ATTR(0|1) [PAGE(0|1)]'\n");
		return -EINVAL;
	}
	mutex_lock(&edu->lock);
	ret = edu_persistent(edu, rounds, attr, whole);
	mutex_unlock(&edu->lock);
	return ret ? ret : count;
}

static ssize_t persistent_read(struct file *file, char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	struct edu *edu = file->private_data;
	char buf[48];
	int n;

	mutex_lock(&edu->lock);
	n = scnprintf(buf, sizeof(buf), "fresh=%lu stale=%lu\n", edu->fresh,
		      edu->stale);
	mutex_unlock(&edu->lock);
	return simple_read_from_buffer(ubuf, count, ppos, buf, n);
}

static const struct file_operations persistent_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = persistent_read,
	.write = persistent_write,
};

static ssize_t untrusted_write(struct file *file, const char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	struct edu *edu = file->private_data;
	bool on;
	int ret = kstrtobool_from_user(ubuf, count, &on);

	if (ret)
		return ret;
	edu->pdev->untrusted = on;
	dev_info(&edu->pdev->dev, "marked %s (test)\n", on ? "untrusted" : "trusted");
	return count;
}

static const struct file_operations untrusted_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = untrusted_write,
};

/* Copies between pinned pages (data starting at @off0 in the first). */
static void pages_copy(struct page **pages, size_t off0, size_t pos,
		       void *buf, size_t len, bool to_pages)
{
	while (len) {
		size_t at = off0 + pos, n;
		void *va;

		n = min_t(size_t, len, PAGE_SIZE - offset_in_page(at));
		va = kmap_local_page(pages[at >> PAGE_SHIFT]);
		if (to_pages)
			memcpy(va + offset_in_page(at), buf, n);
		else
			memcpy(buf, va + offset_in_page(at), n);
		kunmap_local(va);
		buf += n;
		pos += n;
		len -= n;
	}
}

/*
 * The device reads @len bytes at DMA address @a (the pages' data at
 * @pos), then writes a pattern there; both are checked.
 */
static int edu_iova_check(struct edu *edu, struct page **pages, size_t off0,
			  size_t pos, dma_addr_t a, size_t len, u8 seed,
			  bool classic)
{
	u8 *want = kmalloc(len, GFP_KERNEL), *got = kzalloc(len, GFP_KERNEL);
	size_t i;
	int ret;

	if (!want || !got) {
		ret = -ENOMEM;
		goto out;
	}
	edu->iova_checks++;
	/* memory -> device -> a separately mapped buffer */
	pages_copy(pages, off0, pos, want, len, false);
	/* Poison the device's buffer so that a read that did not happen shows. */
	ret = edu_fill(edu, (u8)~want[0], len);
	if (!ret)
		ret = edu_dma(edu, a, len, false);
	if (!ret)
		ret = edu_xfer(edu, got, len, true);
	if (ret)
		goto out;
	if (memcmp(want, got, len)) {
		dev_err(&edu->pdev->dev, "iova: device read wrong data at %zu\n", pos);
		edu->iova_bad++;
	}
	/* a pattern -> device -> memory through @a */
	for (i = 0; i < len; i++)
		want[i] = (u8)(i * 13 + seed);
	ret = edu_xfer(edu, want, len, false);
	if (!ret)
		ret = edu_dma(edu, a, len, true);
	if (ret)
		goto out;
	/* A classic mapping may bounce: the CPU must sync to see the data. */
	if (classic)
		dma_sync_single_for_cpu(&edu->pdev->dev, a, len, DMA_BIDIRECTIONAL);
	pages_copy(pages, off0, pos, got, len, false);
	if (memcmp(want, got, len)) {
		dev_err(&edu->pdev->dev, "iova: device wrote wrong data at %zu\n", pos);
		edu->iova_bad++;
	}
out:
	kfree(want);
	kfree(got);
	return ret;
}

/* The classic fallback: one dma_map_page() per page, each checked. */
static int edu_iova_classic(struct edu *edu, struct page **pages, int n,
			    size_t off0, size_t count)
{
	struct device *dev = &edu->pdev->dev;
	dma_addr_t *addrs = kcalloc(n, sizeof(*addrs), GFP_KERNEL);
	int i, mapped = 0, ret = 0;
	size_t pos = 0;

	if (!addrs)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		size_t off = i ? 0 : off0;
		size_t len = min_t(size_t, PAGE_SIZE - off, count - pos);

		addrs[i] = dma_map_page(dev, pages[i], off, len, DMA_BIDIRECTIONAL);
		if (dma_mapping_error(dev, addrs[i])) {
			ret = -ENOMEM;
			break;
		}
		mapped++;
		if (i == 0 || i == n - 1)
			ret = edu_iova_check(edu, pages, off0, pos, addrs[i],
					     min_t(size_t, len, EDU_XFER_MAX), i, true);
		if (ret)
			break;
		pos += len;
	}
	for (i = 0, pos = 0; i < mapped; i++) {
		size_t off = i ? 0 : off0;
		size_t len = min_t(size_t, PAGE_SIZE - off, count - pos);

		dma_unmap_page(dev, addrs[i], len, DMA_BIDIRECTIONAL);
		pos += len;
	}
	kfree(addrs);
	return ret;
}

/* The two-stage path: reserve, link page by page, sync once, destroy. */
static int edu_iova_run(struct edu *edu, const char __user *ubuf, size_t count)
{
	struct device *dev = &edu->pdev->dev;
	size_t off0 = offset_in_page(ubuf), pos = 0, linked = 0, split = 0, l;
	int n = DIV_ROUND_UP(off0 + count, PAGE_SIZE), got, i, ret = 0;
	struct dma_iova_state state;
	struct page **pages;
	dma_addr_t base;

	pages = kcalloc(n, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	got = pin_user_pages_fast((unsigned long)ubuf & PAGE_MASK, n, FOLL_WRITE,
				  pages);
	if (got != n) {
		ret = got < 0 ? got : -EFAULT;
		n = max(got, 0);
		goto unpin;
	}
	edu->iova_pages = n;
	edu->iova_mode = dma_iova_try_alloc(dev, &state, page_to_phys(pages[0]) + off0,
					    count);
	if (!edu->iova_mode) {
		ret = edu_iova_classic(edu, pages, n, off0, count);
		goto unpin;
	}
	for (i = 0; i < n; i++) {
		size_t off = i ? 0 : off0;
		size_t len = min_t(size_t, PAGE_SIZE - off, count - pos);

		if (i && i == n / 2)
			split = pos;
		ret = dma_iova_link(dev, &state, page_to_phys(pages[i]) + off, pos,
				    len, DMA_BIDIRECTIONAL, 0);
		if (ret)
			goto destroy;
		pos += len;
		linked = pos;
	}
	ret = dma_iova_sync(dev, &state, 0, count);
	if (ret)
		goto destroy;
	l = min_t(size_t, count, EDU_XFER_MAX);
	ret = edu_iova_check(edu, pages, off0, 0, state.addr, l, 1, false);
	if (!ret && count > PAGE_SIZE) {
		/* across the first page boundary */
		size_t at = PAGE_SIZE - off0 - min_t(size_t, l / 2, PAGE_SIZE - off0);

		ret = edu_iova_check(edu, pages, off0, at, state.addr + at,
				     min(l, count - at), 2, false);
	}
	if (!ret)
		ret = edu_iova_check(edu, pages, off0, count - l,
				     state.addr + count - l, l, 3, false);
	/*
	 * Tear down in two steps when there are several links: unlink the
	 * second half (from a link boundary), then destroy the first.
	 */
	if (!ret && split) {
		struct iommu_domain *dom = iommu_get_domain_for_dev(dev);

		dma_iova_unlink(dev, &state, split, count - split,
				DMA_BIDIRECTIONAL, 0);
		linked = split;
		/* The second half is gone, the first still there. */
		if (iommu_iova_to_phys(dom, state.addr + split) ||
		    !iommu_iova_to_phys(dom, state.addr)) {
			dev_err(dev, "iova: unlink did not unmap exactly its range\n");
			edu->iova_bad++;
		}
	}
destroy:
	base = state.addr;
	dma_iova_destroy(dev, &state, linked, DMA_BIDIRECTIONAL, 0);
	/* Torn down: neither half translates any more. */
	if (iommu_iova_to_phys(iommu_get_domain_for_dev(dev), base) ||
	    (split && iommu_iova_to_phys(iommu_get_domain_for_dev(dev), base + split))) {
		dev_err(dev, "iova: %pad still translates after destroy\n", &base);
		edu->iova_bad++;
	}
unpin:
	unpin_user_pages_dirty_lock(pages, n, true);
	kfree(pages);
	return ret;
}

static ssize_t iova_write(struct file *file, const char __user *ubuf,
			  size_t count, loff_t *ppos)
{
	struct edu *edu = file->private_data;
	int ret;

	if (!count || count > SZ_1M)
		return -EINVAL;
	mutex_lock(&edu->lock);
	edu->iova_checks = 0;
	edu->iova_bad = 0;
	ret = edu_iova_run(edu, ubuf, count);
	if (!ret && edu->iova_bad)
		ret = -EIO;
	mutex_unlock(&edu->lock);
	return ret ? ret : count;
}

static ssize_t iova_read(struct file *file, char __user *ubuf, size_t count,
			 loff_t *ppos)
{
	struct edu *edu = file->private_data;
	char buf[96];
	int n;

	mutex_lock(&edu->lock);
	n = scnprintf(buf, sizeof(buf), "mode=%s pages=%lu checks=%lu bad=%lu\n",
		      edu->iova_mode ? "iova" : "classic", edu->iova_pages,
		      edu->iova_checks, edu->iova_bad);
	mutex_unlock(&edu->lock);
	return simple_read_from_buffer(ubuf, count, ppos, buf, n);
}

static const struct file_operations iova_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = iova_read,
	.write = iova_write,
};

/* Each misuse case: 0 if the API refused or cleaned up as documented. */
static int edu_iova_misuse(struct edu *edu, const char *what)
{
	struct device *dev = &edu->pdev->dev;
	struct dma_iova_state state, bogus = { };
	struct page *pages = alloc_pages(GFP_KERNEL, 2);
	phys_addr_t p;
	int ret = 0;

	if (!pages)
		return -ENOMEM;
	p = page_to_phys(pages);
	if (!dma_iova_try_alloc(dev, &state, p, 3 * PAGE_SIZE)) {
		__free_pages(pages, 2);
		return -ENODEV;
	}
	if (!strcmp(what, "unaligned")) {
		if (dma_iova_link(dev, &state, p + PAGE_SIZE + 100, PAGE_SIZE + 100,
				  64, DMA_TO_DEVICE, 0) != -EINVAL)
			ret = -EIO;
	} else if (!strcmp(what, "outside")) {
		if (dma_iova_link(dev, &state, p, 3 * PAGE_SIZE, PAGE_SIZE,
				  DMA_TO_DEVICE, 0) != -EINVAL)
			ret = -EIO;
	} else if (!strcmp(what, "twice")) {
		if (dma_iova_link(dev, &state, p, 0, PAGE_SIZE, DMA_TO_DEVICE, 0) ||
		    dma_iova_link(dev, &state, p, 0, PAGE_SIZE, DMA_TO_DEVICE, 0) != -EINVAL)
			ret = -EIO;
		dma_iova_unlink(dev, &state, 0, PAGE_SIZE, DMA_TO_DEVICE, 0);
	} else if (!strcmp(what, "sync-unlinked")) {
		if (dma_iova_sync(dev, &state, 0, PAGE_SIZE) != -EINVAL)
			ret = -EIO;
	} else if (!strcmp(what, "unlink-never")) {
		dma_iova_unlink(dev, &state, PAGE_SIZE, PAGE_SIZE, DMA_TO_DEVICE, 0);
	} else if (!strcmp(what, "free-linked")) {
		if (dma_iova_link(dev, &state, p, 0, PAGE_SIZE, DMA_TO_DEVICE, 0))
			ret = -EIO;
		dma_addr_t a = state.addr;

		dma_iova_free(dev, &state);
		/* Torn down: the IOVA no longer translates. */
		if (iommu_iova_to_phys(iommu_get_domain_for_dev(dev), a))
			ret = -EIO;
		__free_pages(pages, 2);
		return ret;
	} else if (!strcmp(what, "bogus-state")) {
		if (dma_iova_link(dev, &bogus, p, 0, PAGE_SIZE, DMA_TO_DEVICE, 0) != -EINVAL)
			ret = -EIO;
	} else {
		ret = -EINVAL;
	}
	dma_iova_free(dev, &state);
	__free_pages(pages, 2);
	return ret;
}

static ssize_t iova_misuse_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	struct edu *edu = file->private_data;
	char what[24];
	int ret;

	if (!count || count >= sizeof(what))
		return -EINVAL;
	if (copy_from_user(what, ubuf, count))
		return -EFAULT;
	what[count] = '\0';
	strim(what);
	mutex_lock(&edu->lock);
	ret = edu_iova_misuse(edu, what);
	mutex_unlock(&edu->lock);
	return ret ? ret : count;
}

static const struct file_operations iova_misuse_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = iova_misuse_write,
};

/* Mean ns per round of mapping and unmapping @n pages, either way. */
static int edu_iova_bench(struct edu *edu, bool iova, int n, int rounds)
{
	struct device *dev = &edu->pdev->dev;
	struct dma_iova_state state;
	struct page **pages;
	dma_addr_t *addrs;
	u64 map_ns = 0, unmap_ns = 0, t;
	size_t linked;
	int i, r, ret = 0;

	pages = kcalloc(n, sizeof(*pages), GFP_KERNEL);
	addrs = kcalloc(n, sizeof(*addrs), GFP_KERNEL);
	if (!pages || !addrs) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		if (!pages[i]) {
			ret = -ENOMEM;
			goto out;
		}
	}
	for (r = 0; r < rounds && !ret; r++) {
		t = ktime_get_ns();
		if (iova) {
			if (!dma_iova_try_alloc(dev, &state, 0, (size_t)n * PAGE_SIZE)) {
				ret = -ENODEV;
				break;
			}
			for (i = 0, linked = 0; i < n && !ret; i++) {
				ret = dma_iova_link(dev, &state, page_to_phys(pages[i]),
						    (size_t)i * PAGE_SIZE, PAGE_SIZE,
						    DMA_TO_DEVICE, 0);
				if (!ret)
					linked += PAGE_SIZE;
			}
			if (!ret)
				ret = dma_iova_sync(dev, &state, 0, (size_t)n * PAGE_SIZE);
			map_ns += ktime_get_ns() - t;
			t = ktime_get_ns();
			dma_iova_destroy(dev, &state, linked, DMA_TO_DEVICE, 0);
			unmap_ns += ktime_get_ns() - t;
		} else {
			for (i = 0; i < n; i++) {
				addrs[i] = dma_map_page(dev, pages[i], 0, PAGE_SIZE,
							DMA_TO_DEVICE);
				if (dma_mapping_error(dev, addrs[i]))
					ret = -ENOMEM;
			}
			map_ns += ktime_get_ns() - t;
			t = ktime_get_ns();
			for (i = 0; i < n; i++)
				if (!dma_mapping_error(dev, addrs[i]))
					dma_unmap_page(dev, addrs[i], PAGE_SIZE, DMA_TO_DEVICE);
			unmap_ns += ktime_get_ns() - t;
		}
	}
	if (!ret) {
		edu->bench_map_ns = div_u64(map_ns, rounds);
		edu->bench_unmap_ns = div_u64(unmap_ns, rounds);
	}
out:
	for (i = 0; pages && i < n; i++)
		if (pages[i])
			__free_page(pages[i]);
	kfree(pages);
	kfree(addrs);
	return ret;
}

static ssize_t iova_bench_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct edu *edu = file->private_data;
	char buf[48], how[8];
	int n, rounds, ret;

	if (!count || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (sscanf(buf, "%7s %d %d", how, &n, &rounds) != 3 || n < 1 || n > 256 ||
	    rounds < 1 || rounds > 10000 ||
	    (strcmp(how, "classic") && strcmp(how, "iova"))) {
		dev_err(&edu->pdev->dev, "iova_bench: want 'classic|iova PAGES(1..256) ROUNDS(1..10000)'\n");
		return -EINVAL;
	}
	mutex_lock(&edu->lock);
	ret = edu_iova_bench(edu, !strcmp(how, "iova"), n, rounds);
	mutex_unlock(&edu->lock);
	return ret ? ret : count;
}

static ssize_t iova_bench_read(struct file *file, char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	struct edu *edu = file->private_data;
	char buf[64];
	int n;

	mutex_lock(&edu->lock);
	n = scnprintf(buf, sizeof(buf), "map_ns=%llu unmap_ns=%llu\n",
		      edu->bench_map_ns, edu->bench_unmap_ns);
	mutex_unlock(&edu->lock);
	return simple_read_from_buffer(ubuf, count, ppos, buf, n);
}

static const struct file_operations iova_bench_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = iova_bench_read,
	.write = iova_bench_write,
};

#define EDU_SECRET	0x5e
#define EDU_SECRET_OFF	1000
#define EDU_SECRET_LEN	64

static int edu_secret(struct edu *edu)
{
	struct device *dev = &edu->pdev->dev;
	u8 *a = (u8 *)__get_free_page(GFP_KERNEL);
	u8 *b = (u8 *)__get_free_page(GFP_KERNEL);
	u8 *seen = kzalloc(EDU_XFER_MAX, GFP_KERNEL);
	dma_addr_t da, db, slot;
	int ret = 0, leaked = 0;
	size_t i;

	if (!a || !b || !seen) {
		ret = -ENOMEM;
		goto out;
	}
	/* A slot that held a secret: map and unmap a whole page of it. */
	memset(a, EDU_SECRET, PAGE_SIZE);
	da = dma_map_single(dev, a, PAGE_SIZE, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, da)) {
		ret = -ENODEV;
		goto out;
	}
	dma_unmap_single(dev, da, PAGE_SIZE, DMA_TO_DEVICE);
	/* 64 bytes of data amid another page's secret. */
	memset(b, EDU_SECRET, PAGE_SIZE);
	for (i = 0; i < EDU_SECRET_LEN; i++)
		b[EDU_SECRET_OFF + i] = (u8)(i + 1);
	db = dma_map_single(dev, b + EDU_SECRET_OFF, EDU_SECRET_LEN, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, db)) {
		ret = -ENODEV;
		goto out;
	}
	slot = db - EDU_SECRET_OFF;
	ret = edu_dma(edu, slot, EDU_XFER_MAX, false);
	dma_unmap_single(dev, db, EDU_SECRET_LEN, DMA_TO_DEVICE);
	if (!ret)
		ret = edu_xfer(edu, seen, EDU_XFER_MAX, true);
	if (ret)
		goto out;
	for (i = 0; i < EDU_XFER_MAX; i++) {
		bool data = i >= EDU_SECRET_OFF && i < EDU_SECRET_OFF + EDU_SECRET_LEN;
		u8 want = data ? (u8)(i - EDU_SECRET_OFF + 1) : 0;

		if (seen[i] != want)
			leaked++;
	}
	if (leaked) {
		dev_err(dev, "secret: device read %d unexpected bytes around %pad\n",
			leaked, &db);
		ret = -EIO;
	}
out:
	free_page((unsigned long)a);
	free_page((unsigned long)b);
	kfree(seen);
	return ret;
}

static ssize_t secret_write(struct file *file, const char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	struct edu *edu = file->private_data;
	int ret;

	mutex_lock(&edu->lock);
	ret = edu_secret(edu);
	mutex_unlock(&edu->lock);
	return ret ? ret : count;
}

static const struct file_operations secret_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = secret_write,
};

/*
 * A sub-page persistent mapping amid a secret: refused, or nothing but its
 * own bytes reachable (see "persistent_secret" above).
 */
static int edu_persistent_secret(struct edu *edu)
{
	struct device *dev = &edu->pdev->dev;
	u8 *b = (u8 *)__get_free_page(GFP_KERNEL);
	u8 *seen = kzalloc(EDU_XFER_MAX, GFP_KERNEL);
	dma_addr_t db;
	int ret = 0;
	size_t i;

	edu->refused = 0;
	edu->leaked = 0;
	if (!b || !seen) {
		ret = -ENOMEM;
		goto out;
	}
	memset(b, EDU_SECRET, PAGE_SIZE);
	for (i = 0; i < EDU_SECRET_LEN; i++)
		b[EDU_SECRET_OFF + i] = (u8)(i + 1);
	db = dma_map_single_attrs(dev, b + EDU_SECRET_OFF, EDU_SECRET_LEN,
				  DMA_TO_DEVICE, DMA_ATTR_PERSISTENT_STREAMING);
	if (dma_mapping_error(dev, db)) {
		edu->refused = 1;
		goto out;
	}
	/* The page-aligned IOVA around it: what the device may try. */
	ret = edu_dma(edu, db & PAGE_MASK, EDU_XFER_MAX, false);
	dma_unmap_single_attrs(dev, db, EDU_SECRET_LEN, DMA_TO_DEVICE,
			       DMA_ATTR_PERSISTENT_STREAMING);
	if (!ret)
		ret = edu_xfer(edu, seen, EDU_XFER_MAX, true);
	if (ret)
		goto out;
	for (i = 0; i < EDU_XFER_MAX; i++)
		if (seen[i] == EDU_SECRET)
			edu->leaked++;
	if (edu->leaked) {
		dev_err(dev, "persistent_secret: device read %lu secret bytes around %pad\n",
			edu->leaked, &db);
		ret = -EIO;
	}
out:
	free_page((unsigned long)b);
	kfree(seen);
	return ret;
}

static ssize_t persistent_secret_write(struct file *file,
				       const char __user *ubuf, size_t count,
				       loff_t *ppos)
{
	struct edu *edu = file->private_data;
	int ret;

	mutex_lock(&edu->lock);
	ret = edu_persistent_secret(edu);
	mutex_unlock(&edu->lock);
	return ret ? ret : count;
}

static ssize_t persistent_secret_read(struct file *file, char __user *ubuf,
				      size_t count, loff_t *ppos)
{
	struct edu *edu = file->private_data;
	char buf[48];
	int n;

	mutex_lock(&edu->lock);
	n = scnprintf(buf, sizeof(buf), "refused=%lu leaked=%lu\n",
		      edu->refused, edu->leaked);
	mutex_unlock(&edu->lock);
	return simple_read_from_buffer(ubuf, count, ppos, buf, n);
}

static const struct file_operations persistent_secret_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = persistent_secret_read,
	.write = persistent_secret_write,
};

#define EDU_HELD_LEN	64

/* The held mapping's check: see "held" above.  Unmaps it. */
static int edu_held_check(struct edu *edu)
{
	struct device *dev = &edu->pdev->dev;
	dma_addr_t a = edu->held_addr;
	u8 *buf = edu->held_buf;
	int ret;

	ret = edu_fill(edu, 0x3c, EDU_HELD_LEN);
	if (!ret)
		ret = edu_dma(edu, a, EDU_HELD_LEN, true);
	if (!ret) {
		dma_sync_single_for_cpu(dev, a, EDU_HELD_LEN, DMA_FROM_DEVICE);
		if (memchr_inv(buf, 0x3c, EDU_HELD_LEN)) {
			dev_err(dev, "held: the CPU sees stale data after dma_sync_single_for_cpu()\n");
			ret = -EIO;
		}
	}
	dma_unmap_single(dev, a, EDU_HELD_LEN, DMA_FROM_DEVICE);
	kfree(buf);
	edu->held_buf = NULL;
	return ret;
}

static ssize_t held_write(struct file *file, const char __user *ubuf,
			  size_t count, loff_t *ppos)
{
	struct edu *edu = file->private_data;
	struct device *dev = &edu->pdev->dev;
	char cmd[8];
	int ret = 0;

	if (count == 0 || count >= sizeof(cmd))
		return -EINVAL;
	if (copy_from_user(cmd, ubuf, count))
		return -EFAULT;
	cmd[count] = '\0';
	strim(cmd);
	mutex_lock(&edu->lock);
	if (!strcmp(cmd, "map")) {
		if (edu->held_buf) {
			ret = -EBUSY;
			goto out;
		}
		edu->held_buf = kzalloc(EDU_HELD_LEN, GFP_KERNEL);
		if (!edu->held_buf) {
			ret = -ENOMEM;
			goto out;
		}
		edu->held_addr = dma_map_single(dev, edu->held_buf, EDU_HELD_LEN,
						DMA_FROM_DEVICE);
		if (dma_mapping_error(dev, edu->held_addr)) {
			kfree(edu->held_buf);
			edu->held_buf = NULL;
			ret = -ENOMEM;
		}
	} else if (!strcmp(cmd, "check")) {
		ret = edu->held_buf ? edu_held_check(edu) : -ENOENT;
	} else {
		dev_err(dev, "held: want 'map' or 'check'\n");
		ret = -EINVAL;
	}
out:
	mutex_unlock(&edu->lock);
	return ret ? ret : count;
}

static ssize_t held_read(struct file *file, char __user *ubuf, size_t count,
			 loff_t *ppos)
{
	struct edu *edu = file->private_data;
	bool skip = false;
	char buf[24];
	int n;

#ifdef CONFIG_DMA_NEED_SYNC
	skip = edu->pdev->dev.dma_skip_sync;
#endif
	n = scnprintf(buf, sizeof(buf), "skip_sync=%d\n", skip);
	return simple_read_from_buffer(ubuf, count, ppos, buf, n);
}

static const struct file_operations held_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = held_read,
	.write = held_write,
};

static ssize_t translated_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct edu *edu = file->private_data;
	struct iommu_domain *dom = iommu_get_domain_for_dev(&edu->pdev->dev);
	u64 iova;
	int ret = kstrtou64_from_user(ubuf, count, 16, &iova);

	if (ret)
		return ret;
	if (!dom)
		return -ENXIO;
	return iommu_iova_to_phys(dom, iova) ? count : -ENOENT;
}

static const struct file_operations translated_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = translated_write,
};

static ssize_t roundtrip_write(struct file *file, const char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	struct edu *edu = file->private_data;
	unsigned long size, offset = 0;
	char buf[48];
	int n, ret;

	if (count == 0 || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	n = sscanf(buf, "%lu %lu", &size, &offset);
	if (n < 1 || size == 0 || size > EDU_XFER_MAX || offset >= PAGE_SIZE) {
		dev_err(&edu->pdev->dev,
			"roundtrip: want \"SIZE [OFFSET]\", 1 <= SIZE <= %d, OFFSET < %lu\n",
			EDU_XFER_MAX, PAGE_SIZE);
		return -EINVAL;
	}
	mutex_lock(&edu->lock);
	ret = edu_roundtrip(edu, size, offset);
	if (ret)
		edu->bad++;
	else
		edu->good++;
	mutex_unlock(&edu->lock);
	return ret ? ret : count;
}

static ssize_t roundtrip_read(struct file *file, char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct edu *edu = file->private_data;
	char buf[64];
	int len;

	mutex_lock(&edu->lock);
	len = scnprintf(buf, sizeof(buf), "good=%lu bad=%lu\n", edu->good,
			edu->bad);
	mutex_unlock(&edu->lock);
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static const struct file_operations roundtrip_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = roundtrip_read,
	.write = roundtrip_write,
};

static int edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct edu *edu;
	u32 live;
	int ret;

	edu = devm_kzalloc(&pdev->dev, sizeof(*edu), GFP_KERNEL);
	if (!edu)
		return -ENOMEM;
	edu->pdev = pdev;
	mutex_init(&edu->lock);
	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	ret = pcim_iomap_regions(pdev, BIT(0), "rudma_edu");
	if (ret)
		return ret;
	edu->mmio = pcim_iomap_table(pdev)[0];
	ret = dma_set_mask(&pdev->dev, DMA_BIT_MASK(dma_bits));
	if (ret)
		return ret;
	pci_set_master(pdev);

	writel(0x5a5a5a5a, edu->mmio + EDU_REG_LIVENESS);
	live = readl(edu->mmio + EDU_REG_LIVENESS);
	if (live != ~0x5a5a5a5aU) {
		dev_err(&pdev->dev, "liveness check failed: %#x\n", live);
		return -ENODEV;
	}
	edu->dir = debugfs_create_dir(pci_name(pdev), edu_root);
	debugfs_create_file("roundtrip", 0600, edu->dir, edu, &roundtrip_fops);
	debugfs_create_file("stale", 0600, edu->dir, edu, &stale_fops);
	debugfs_create_file("persistent", 0600, edu->dir, edu, &persistent_fops);
	debugfs_create_file("untrusted", 0200, edu->dir, edu, &untrusted_fops);
	debugfs_create_file("iova", 0600, edu->dir, edu, &iova_fops);
	debugfs_create_file("secret", 0200, edu->dir, edu, &secret_fops);
	debugfs_create_file("persistent_secret", 0600, edu->dir, edu,
			    &persistent_secret_fops);
	debugfs_create_file("held", 0600, edu->dir, edu, &held_fops);
	debugfs_create_file("translated", 0200, edu->dir, edu, &translated_fops);
	debugfs_create_file("iova_misuse", 0200, edu->dir, edu, &iova_misuse_fops);
	debugfs_create_file("iova_bench", 0600, edu->dir, edu, &iova_bench_fops);
	pci_set_drvdata(pdev, edu);
	dev_info(&pdev->dev, "edu %#x ready\n", readl(edu->mmio + EDU_REG_ID));
	return 0;
}

static void edu_remove(struct pci_dev *pdev)
{
	struct edu *edu = pci_get_drvdata(pdev);

	debugfs_remove_recursive(edu->dir);
	if (edu->held_buf) {
		dma_unmap_single(&pdev->dev, edu->held_addr, EDU_HELD_LEN,
				 DMA_FROM_DEVICE);
		kfree(edu->held_buf);
	}
}

static const struct pci_device_id edu_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR, EDU_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, edu_ids);

static struct pci_driver edu_driver = {
	.name = "rudma_edu",
	.id_table = edu_ids,
	.probe = edu_probe,
	.remove = edu_remove,
};

static int __init rudma_edu_init(void)
{
	int ret;

	if (dma_bits < EDU_DMA_BITS || dma_bits > 64) {
		pr_err("rudma_edu: dma_bits=%u out of range (%d..64)\n",
		       dma_bits, EDU_DMA_BITS);
		return -EINVAL;
	}
	edu_root = debugfs_create_dir("rudma_edu", NULL);
	ret = pci_register_driver(&edu_driver);
	if (ret)
		debugfs_remove_recursive(edu_root);
	return ret;
}

static void __exit rudma_edu_exit(void)
{
	pci_unregister_driver(&edu_driver);
	debugfs_remove_recursive(edu_root);
}

module_init(rudma_edu_init);
module_exit(rudma_edu_exit);
MODULE_DESCRIPTION("rudma test driver for QEMU's edu DMA master");
MODULE_LICENSE("GPL");
