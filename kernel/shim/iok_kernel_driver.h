/* SPDX-License-Identifier: MIT */
/*
 * iok_kernel_driver.h - included first (-include) into every driver built
 * as a kernel module: IOK_DRIVER(desc) becomes the module's init and exit,
 * which register the driver with iokit.ko and unregister it.  The driver's
 * source is the one iokitd loads, unchanged.
 */
#ifndef IOK_KERNEL_DRIVER_H
#define IOK_KERNEL_DRIVER_H

#include <linux/init.h>
#include <linux/module.h>

struct iok_driver;
int iok_kernel_driver_load(const struct iok_driver *driver, struct module *owner);
void iok_kernel_driver_unload(const struct iok_driver *driver);

#define IOK_DRIVER(desc)                                                \
	static int __init iok_driver_module_init(void)                  \
	{                                                               \
		return iok_kernel_driver_load(&(desc), THIS_MODULE);    \
	}                                                               \
	static void __exit iok_driver_module_exit(void)                 \
	{                                                               \
		iok_kernel_driver_unload(&(desc));                      \
	}                                                               \
	module_init(iok_driver_module_init);                            \
	module_exit(iok_driver_module_exit);                            \
	MODULE_LICENSE("Dual MIT/GPL");                                 \
	MODULE_DESCRIPTION("OpenIOKit driver");

#endif /* IOK_KERNEL_DRIVER_H */
