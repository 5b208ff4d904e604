// SPDX-License-Identifier: GPL-2.0
/*
 * rudma_iova_test's "device" parameter: setting it (at insmod or through
 * /sys/module/rudma_iova_test/parameters/device) runs the IOVA range test
 * on that PCI device; the write fails with the test's error.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>

#include "../../../c_shims/rudma_shims.h"

MODULE_IMPORT_NS(IOMMU_DMA_OPS);

static int device_set(const char *val, const struct kernel_param *kp)
{
	return rudma_iova_test_run(val, strlen(val));
}

static const struct kernel_param_ops device_ops = {
	.set = device_set,
};

module_param_cb(device, &device_ops, NULL, 0200);
MODULE_PARM_DESC(device, "PCI device (DDDD:BB:DD.F) to run the IOVA range test on");
