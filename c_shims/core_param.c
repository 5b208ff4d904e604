// SPDX-License-Identifier: GPL-2.0
/*
 * rudma_core's "devices" module parameter.
 *
 * The Rust `module!` macro of 6.12 has no parameters, so the parameter is
 * declared here and its set/get operations call into Rust:
 *
 *   insmod rudma_core.ko devices=0000:00:03.0,0000:00:04.0
 *   echo 0000:00:03.0 > /sys/module/rudma_core/parameters/devices
 *   cat /sys/module/rudma_core/parameters/devices
 *
 * Setting it logs the IOMMU group and domain type of every named device;
 * a malformed or unknown name rejects the whole write (nothing is stored).
 * Reading it reports each stored device's current domain type.
 * The module parameter lock serialises set and get.
 */
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/string.h>

#include "rudma_shims.h"

#define RUDMA_DEVICES_MAX 256

static char devices[RUDMA_DEVICES_MAX];
static size_t devices_len;

static int devices_set(const char *val, const struct kernel_param *kp)
{
	size_t len = strlen(val);
	int ret;

	if (len >= RUDMA_DEVICES_MAX) {
		pr_err("rudma_core: devices: list longer than %d bytes\n",
		       RUDMA_DEVICES_MAX - 1);
		return -ENOSPC;
	}
	ret = rudma_core_report_devices(val, len);
	if (ret)
		return ret;
	memcpy(devices, val, len);
	devices_len = len;
	return 0;
}

static int devices_get(char *buffer, const struct kernel_param *kp)
{
	/* sysfs hands us a PAGE_SIZE buffer. */
	return rudma_core_describe_devices(devices, devices_len, buffer,
					   PAGE_SIZE);
}

static const struct kernel_param_ops devices_ops = {
	.set = devices_set,
	.get = devices_get,
};

module_param_cb(devices, &devices_ops, NULL, 0644);
MODULE_PARM_DESC(devices,
		 "PCI devices (DDDD:BB:DD.F, comma separated) whose IOMMU domain to report");
