// SPDX-License-Identifier: GPL-2.0
/*
 * Event queues: how the VMM learns that a guest queue stopped on an error,
 * so it can inject the guest's interrupt (as the hardware's CMDQV interrupt
 * would).  The object lives in the file's table; the records are read from
 * an anonymous fd.  The two share a refcounted ring, since the fd may
 * outlive the object (DESTROY, close of /dev/vcmdq) and the object may
 * outlive the fd (the VMM closed it).
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vcmdq_private.h"

struct vcmdq_event_record {
	struct vcmdq_event_header hdr;
	struct vcmdq_event_cmdq_err err;
};

/**
 * struct vcmdq_eventq_ring - the events of one vIOMMU
 * @ref: one for the object, one for the fd
 * @read_lock: serializes readers, so two never return the same record
 * @lock: guards everything below
 * @wait: readers and pollers
 * @records: @depth slots
 * @depth: slots
 * @head: index of the oldest record
 * @count: records queued
 * @next_sequence: the next event's sequence number, dropped ones included
 * @dead: the object is gone: no more events, readers see EOF when drained
 */
struct vcmdq_eventq_ring {
	struct kref ref;
	struct mutex read_lock;
	spinlock_t lock;
	wait_queue_head_t wait;
	struct vcmdq_event_record *records;
	u32 depth;
	u32 head;
	u32 count;
	u32 next_sequence;
	bool dead;
};

static void vcmdq_eventq_ring_free(struct kref *ref)
{
	struct vcmdq_eventq_ring *ring =
		container_of(ref, struct vcmdq_eventq_ring, ref);

	kvfree(ring->records);
	kfree(ring);
}

static void vcmdq_eventq_ring_put(struct vcmdq_eventq_ring *ring)
{
	kref_put(&ring->ref, vcmdq_eventq_ring_free);
}

/* Sequence numbers count 0..INT_MAX and wrap, as iommufd's do. */
static u32 vcmdq_eventq_next_seq(u32 seq)
{
	return (seq + 1) & 0x7fffffff;
}

/* Return: false when the ring was full and the event was dropped. */
static bool vcmdq_eventq_push(struct vcmdq_eventq_ring *ring,
			      const struct vcmdq_event_cmdq_err *err)
{
	unsigned long flags;
	bool queued;
	u32 seq;

	spin_lock_irqsave(&ring->lock, flags);
	seq = ring->next_sequence;
	ring->next_sequence = vcmdq_eventq_next_seq(seq);
	queued = ring->count != ring->depth;
	if (!queued) {
		/* Full: drop it, and say so on the newest record we kept. */
		u32 newest = (ring->head + ring->count - 1) % ring->depth;

		ring->records[newest].hdr.flags |= VCMDQ_EVENT_FLAG_LOST_EVENTS;
	} else {
		struct vcmdq_event_record *rec =
			&ring->records[(ring->head + ring->count) % ring->depth];

		rec->hdr.flags = 0;
		rec->hdr.sequence = seq;
		rec->err = *err;
		ring->count++;
	}
	spin_unlock_irqrestore(&ring->lock, flags);
	wake_up_interruptible_poll(&ring->wait, EPOLLIN | EPOLLRDNORM);
	return queued;
}

/**
 * vcmdq_eventq_report_cmdq_err() - queue an event for the vIOMMU's VMM
 * @viommu: the vIOMMU whose queue stopped
 * @err: what happened
 *
 * Without an event queue the event is dropped; the guest still sees the
 * error in its control region.  Both drops count as lost events on the
 * instance.
 *
 * Context: any; takes spinlocks only.
 */
void vcmdq_eventq_report_cmdq_err(struct vcmdq_viommu *viommu,
				  const struct vcmdq_event_cmdq_err *err)
{
	bool queued = false;

	spin_lock(&viommu->event_lock);
	if (viommu->eventq)
		queued = vcmdq_eventq_push(viommu->eventq, err);
	spin_unlock(&viommu->event_lock);
	vcmdq_count(viommu->inst, VCMDQ_CNT_EVENTS, 1);
	if (!queued)
		vcmdq_count(viommu->inst, VCMDQ_CNT_EVENTS_LOST, 1);
}

static ssize_t vcmdq_eventq_read(struct file *filp, char __user *buf,
				 size_t count, loff_t *ppos)
{
	struct vcmdq_eventq_ring *ring = filp->private_data;
	const size_t rec_size = sizeof(struct vcmdq_event_record);
	ssize_t done = 0;
	int rc;

	if (*ppos)
		return -ESPIPE;
	if (count < rec_size)
		return -EINVAL;

	if (mutex_lock_interruptible(&ring->read_lock))
		return -ERESTARTSYS;
	spin_lock_irq(&ring->lock);
	while (!ring->count && !ring->dead) {
		spin_unlock_irq(&ring->lock);
		if (filp->f_flags & O_NONBLOCK) {
			done = -EAGAIN;
			goto out_unlock;
		}
		rc = wait_event_interruptible(ring->wait,
					      READ_ONCE(ring->count) ||
					      READ_ONCE(ring->dead));
		if (rc) {
			done = rc;
			goto out_unlock;
		}
		spin_lock_irq(&ring->lock);
	}
	while (ring->count && count - done >= rec_size) {
		struct vcmdq_event_record rec = ring->records[ring->head];

		/* Copy out without the lock: a fault may sleep. */
		spin_unlock_irq(&ring->lock);
		if (copy_to_user(buf + done, &rec, rec_size)) {
			done = done ? done : -EFAULT;
			goto out_unlock;
		}
		spin_lock_irq(&ring->lock);
		/*
		 * Producers only append and read_lock keeps other readers
		 * out, so the head is still the record just copied.
		 */
		ring->head = (ring->head + 1) % ring->depth;
		ring->count--;
		done += rec_size;
	}
	spin_unlock_irq(&ring->lock);
out_unlock:
	mutex_unlock(&ring->read_lock);
	return done;
}

static __poll_t vcmdq_eventq_poll(struct file *filp,
				  struct poll_table_struct *wait)
{
	struct vcmdq_eventq_ring *ring = filp->private_data;
	__poll_t mask = 0;

	poll_wait(filp, &ring->wait, wait);
	spin_lock_irq(&ring->lock);
	if (ring->count)
		mask |= EPOLLIN | EPOLLRDNORM;
	if (ring->dead)
		mask |= EPOLLHUP;
	spin_unlock_irq(&ring->lock);
	return mask;
}

static int vcmdq_eventq_release(struct inode *inode, struct file *filp)
{
	vcmdq_eventq_ring_put(filp->private_data);
	return 0;
}

static const struct file_operations vcmdq_eventq_fops = {
	.owner = THIS_MODULE,
	.read = vcmdq_eventq_read,
	.poll = vcmdq_eventq_poll,
	.release = vcmdq_eventq_release,
	/*
	 * No .llseek: an anon inode file without one fails lseek() with
	 * -ESPIPE on every kernel (6.12 removed no_llseek, which said so).
	 */
};

int vcmdq_eventq_alloc_ioctl(struct vcmdq_ucmd *ucmd)
{
	struct vcmdq_eventq_alloc *cmd = ucmd->cmd;
	struct vcmdq_eventq_ring *ring;
	struct vcmdq_viommu *viommu;
	struct vcmdq_eventq *eventq;
	struct file *file;
	int fd;

	if (cmd->flags)
		return -EOPNOTSUPP;
	if (!cmd->depth || cmd->depth > VCMDQ_EVENTQ_MAX_DEPTH)
		return -EINVAL;

	eventq = vcmdq_object_alloc_ucmd(ucmd, eventq, VCMDQ_OBJ_EVENTQ);
	if (IS_ERR(eventq))
		return PTR_ERR(eventq);
	eventq->fd = -1;
	/* The lookup's reference becomes the eventq's hold on its vIOMMU. */
	viommu = vcmdq_get_viommu(ucmd->ctx, cmd->viommu_id);
	if (IS_ERR(viommu))
		return PTR_ERR(viommu);
	eventq->viommu = viommu;

	ring = kzalloc(sizeof(*ring), GFP_KERNEL_ACCOUNT);
	if (!ring)
		return -ENOMEM;
	kref_init(&ring->ref);
	mutex_init(&ring->read_lock);
	spin_lock_init(&ring->lock);
	init_waitqueue_head(&ring->wait);
	ring->depth = cmd->depth;
	eventq->ring = ring;
	ring->records = kvcalloc(cmd->depth, sizeof(*ring->records),
				 GFP_KERNEL_ACCOUNT);
	if (!ring->records)
		return -ENOMEM;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	eventq->fd = fd;
	/* The file's reference on the ring, dropped by its release. */
	kref_get(&ring->ref);
	file = anon_inode_getfile("[vcmdq-eventq]", &vcmdq_eventq_fops, ring,
				  O_RDONLY);
	if (IS_ERR(file)) {
		vcmdq_eventq_ring_put(ring);
		return PTR_ERR(file);
	}
	eventq->file = file;

	/*
	 * One event queue per vIOMMU.  The ring receives events from here on;
	 * should the reply fail, they die with it, unseen, as the error in
	 * the control region stays for the guest.
	 */
	spin_lock(&viommu->event_lock);
	if (viommu->eventq) {
		spin_unlock(&viommu->event_lock);
		return -EEXIST;
	}
	viommu->eventq = ring;
	spin_unlock(&viommu->event_lock);

	cmd->out_eventq_id = eventq->obj.id;
	cmd->out_eventq_fd = fd;
	return vcmdq_ucmd_respond(ucmd, sizeof(*cmd));
}

/*
 * The reply reached userspace: the fd it names becomes real.  fd_install()
 * cannot be undone, so it waits for this point.
 */
void vcmdq_eventq_publish(struct vcmdq_object *obj)
{
	struct vcmdq_eventq *eventq =
		container_of(obj, struct vcmdq_eventq, obj);

	fd_install(eventq->fd, eventq->file);
	eventq->fd = -1;
	eventq->file = NULL;
}

/* Also undoes an EVENTQ_ALLOC that failed at any step. */
void vcmdq_eventq_destroy(struct vcmdq_object *obj)
{
	struct vcmdq_eventq *eventq =
		container_of(obj, struct vcmdq_eventq, obj);
	struct vcmdq_viommu *viommu = eventq->viommu;
	struct vcmdq_eventq_ring *ring = eventq->ring;

	/* Never installed: nobody saw the fd; the file drops its ring ref. */
	if (eventq->file)
		fput(eventq->file);
	if (eventq->fd >= 0)
		put_unused_fd(eventq->fd);
	if (!viommu)
		return;
	if (ring) {
		spin_lock(&viommu->event_lock);
		if (viommu->eventq == ring)
			viommu->eventq = NULL;
		spin_unlock(&viommu->event_lock);

		spin_lock_irq(&ring->lock);
		ring->dead = true;
		spin_unlock_irq(&ring->lock);
		wake_up_interruptible_poll(&ring->wait, EPOLLHUP);
		vcmdq_eventq_ring_put(ring);
	}
	vcmdq_put_object(&viommu->obj);
}
