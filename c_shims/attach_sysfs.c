// SPDX-License-Identifier: GPL-2.0
/*
 * rudma's administrative interface, wired to the Rust attach code:
 *
 *   /sys/kernel/rudma/attach     (write) attach rudma's DMA ops to a device
 *   /sys/kernel/rudma/detach     (write) detach them
 *   /sys/kernel/rudma/attached   (read)  attached devices, one per line
 *   rudma.attach=BDF[,BDF...]    module parameter: attach at load, or when
 *                                the device's driver binds
 *
 * plus the PCI bus notifier that detaches a device when its driver goes
 * away, and the module reference each attached device holds.
 * See Documentation/ABI/testing/sysfs-kernel-rudma.
 */
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/sysfs.h>

#include "rudma_shims.h"

#if !IS_ENABLED(CONFIG_IOMMU_DMA_OPS_OVERRIDE)
#error "rudma needs a kernel with its patch series and CONFIG_IOMMU_DMA_OPS_OVERRIDE=y"
#endif

MODULE_IMPORT_NS(IOMMU_DMA_OPS);

static char *attach_param = "";
module_param_named(attach, attach_param, charp, 0444);
MODULE_PARM_DESC(attach,
		 "PCI devices (DDDD:BB:DD.F, comma separated) to attach at load or driver bind");

/**
 * rudma_attach_param() - the boot-time attach list
 *
 * Return: the "attach" module parameter, never NULL.
 */
const char *rudma_attach_param(void)
{
	return attach_param ? attach_param : "";
}

static ssize_t attach_store(struct kobject *kobj, struct kobj_attribute *attr,
			    const char *buf, size_t count)
{
	int ret = rudma_sysfs_attach(buf, count);

	return ret ? ret : count;
}

static ssize_t detach_store(struct kobject *kobj, struct kobj_attribute *attr,
			    const char *buf, size_t count)
{
	int ret = rudma_sysfs_detach(buf, count);

	return ret ? ret : count;
}

static ssize_t attached_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return rudma_sysfs_attached(buf, PAGE_SIZE);
}

static struct kobj_attribute attach_attr = __ATTR_WO(attach);
static struct kobj_attribute detach_attr = __ATTR_WO(detach);
static struct kobj_attribute attached_attr = __ATTR_RO(attached);

static struct attribute *rudma_attrs[] = {
	&attach_attr.attr,
	&detach_attr.attr,
	&attached_attr.attr,
	NULL,
};

static const struct attribute_group rudma_group = {
	.attrs = rudma_attrs,
};

static struct kobject *rudma_kobj;

static int rudma_pci_notify(struct notifier_block *nb, unsigned long action,
			    void *data)
{
	rudma_bus_event(data, action);
	return NOTIFY_DONE;
}

static struct notifier_block rudma_pci_nb = {
	.notifier_call = rudma_pci_notify,
};

/**
 * rudma_sysfs_register() - create /sys/kernel/rudma and watch the PCI bus
 *
 * Called once the Rust side is ready to take calls.
 *
 * Return: 0 or a negative errno; on error nothing is left registered.
 */
int rudma_sysfs_register(void)
{
	int ret;

	ret = bus_register_notifier(&pci_bus_type, &rudma_pci_nb);
	if (ret)
		return ret;
	rudma_kobj = kobject_create_and_add("rudma", kernel_kobj);
	if (!rudma_kobj) {
		ret = -ENOMEM;
		goto err_notifier;
	}
	ret = sysfs_create_group(rudma_kobj, &rudma_group);
	if (ret)
		goto err_kobj;
	return 0;

err_kobj:
	kobject_put(rudma_kobj);
	rudma_kobj = NULL;
err_notifier:
	bus_unregister_notifier(&pci_bus_type, &rudma_pci_nb);
	return ret;
}

/**
 * rudma_sysfs_unregister() - undo rudma_sysfs_register()
 *
 * After it returns no sysfs or notifier call is running or will start.
 */
void rudma_sysfs_unregister(void)
{
	if (rudma_kobj) {
		sysfs_remove_group(rudma_kobj, &rudma_group);
		kobject_put(rudma_kobj);
		rudma_kobj = NULL;
	}
	bus_unregister_notifier(&pci_bus_type, &rudma_pci_nb);
}

/**
 * rudma_module_get() - pin this module while a device is attached
 *
 * Return: true if the reference was taken (the module is not going away).
 */
bool rudma_module_get(void)
{
	return try_module_get(THIS_MODULE);
}

/**
 * rudma_module_put() - drop a reference from rudma_module_get()
 */
void rudma_module_put(void)
{
	module_put(THIS_MODULE);
}
