//go:build windows

package winbits

import (
	"fmt"
	"runtime"
	"sync"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/bitssim/bitssim/internal/com"
	"github.com/bitssim/bitssim/internal/com/bitsabi"
	"github.com/bitssim/bitssim/model"
)

// BITS structures, laid out as in Bits.h.
type (
	bgJobProgress struct {
		BytesTotal, BytesTransferred uint64
		FilesTotal, FilesTransferred uint32
	}
	bgFileProgress struct {
		BytesTotal, BytesTransferred uint64
		Completed                    int32
		_                            uint32
	}
	bgJobTimes struct {
		CreationTime, ModificationTime, TransferCompletionTime windows.Filetime
	}
	bgFileInfo struct {
		RemoteName, LocalName *uint16
	}
	bgFileRange struct {
		InitialOffset, Length uint64
	}
)

// Manager is a connection to the BITS service: IBackgroundCopyManager as a
// model.Manager. It is safe for concurrent use.
type Manager struct {
	mgr   *com.Unknown
	clsid model.GUID
	// version is the version the CLSID says; 0 until known.
	version model.Version

	probeOnce sync.Once
	probe     Probe
}

// Probe is what a scratch job tells about the service.
type Probe struct {
	// Version is the BITS version, from the newest manager class that
	// could be created or, when only CLSID_BackgroundCopyManager exists
	// (Wine), from the newest job interface (Job5: 5.0, Job4: 3.0, Job3:
	// 2.0, Job2: 1.5).
	Version model.Version
	// Job2..Job5 say whether a job answers QueryInterface for them.
	Job2, Job3, Job4, Job5 bool
	// CommandLine: SetNotifyCmdLine(NULL, NULL) succeeded.
	CommandLine bool
	// Err is why the probe could not run (the scratch job could not be made).
	Err error
}

var _ model.Manager = (*Manager)(nil)

// Connect connects to the BITS service, out of process
// (CLSCTX_LOCAL_SERVER). It tries the versioned manager classes newest
// first and falls back to CLSID_BackgroundCopyManager.
func Connect() (*Manager, error) {
	if err := InitCOM(); err != nil {
		return nil, err
	}
	for _, c := range bitsabi.ManagerClasses {
		p, hr := com.CreateInstance(c.CLSID, bitsabi.IIDManager)
		if hr.Succeeded() {
			return newManager(p, c.CLSID, c.Version), nil
		}
	}
	p, hr := com.CreateInstance(model.CLSID_BackgroundCopyManager, bitsabi.IIDManager)
	if hr.Failed() {
		return nil, fmt.Errorf("CoCreateInstance(CLSID_BackgroundCopyManager, CLSCTX_LOCAL_SERVER): %w", hr)
	}
	return newManager(p, model.CLSID_BackgroundCopyManager, 0), nil
}

func newManager(p *com.Unknown, clsid model.GUID, v model.Version) *Manager {
	m := &Manager{mgr: p, clsid: clsid, version: v}
	runtime.AddCleanup(m, func(p *com.Unknown) { p.Release() }, p)
	return m
}

// CLSID returns the manager class that was created.
func (m *Manager) CLSID() model.GUID { return m.clsid }

// Probe creates a scratch job once to learn what the service supports,
// and cancels it.
func (m *Manager) Probe() Probe {
	m.probeOnce.Do(func() {
		p := Probe{Version: m.version}
		j, err := m.CreateJob("bitssim capability probe", model.BG_JOB_TYPE_DOWNLOAD)
		if err != nil {
			p.Err = err
			if p.Version == 0 {
				p.Version = model.BITS1_5
			}
			m.probe = p
			return
		}
		job := j.(*Job)
		p.Job2 = job.itf(2) != nil
		p.Job3 = job.itf(3) != nil
		p.Job4 = job.itf(4) != nil
		p.Job5 = job.itf(5) != nil
		if p.Job2 {
			p.CommandLine = job.SetNotifyCmdLine("", "") == nil
		}
		if p.Version == 0 {
			switch {
			case p.Job5:
				p.Version = model.BITS5_0
			case p.Job4:
				p.Version = model.BITS3_0
			case p.Job3:
				p.Version = model.BITS2_0
			default:
				p.Version = model.BITS1_5
			}
		}
		_ = job.Cancel()
		m.probe = p
	})
	return m.probe
}

// Version returns the BITS version (see Probe).
func (m *Manager) Version() model.Version {
	if m.version != 0 {
		return m.version
	}
	return m.Probe().Version
}

// CreateJob is IBackgroundCopyManager::CreateJob. The display name goes out
// as given: an empty name is an empty string, never NULL (the parameter is
// a [ref] pointer: through COM, the proxy rejects NULL with
// RPC_X_NULL_REF_POINTER before BITS sees it; LIMIT-NULL-STRING-COM).
func (m *Manager) CreateJob(displayName string, jobType model.JobType) (model.Job, error) {
	name, err := com.String(displayName)
	if err != nil {
		return nil, fmt.Errorf("IBackgroundCopyManager::CreateJob: %w", err)
	}
	var id windows.GUID
	var p *com.Unknown
	hr := m.mgr.Call(bitsabi.SlotManager.CreateJob, name, uint32(jobType), &id, &p)
	if err := com.Check("IBackgroundCopyManager::CreateJob", hr); err != nil {
		return nil, err
	}
	return newJob(p, com.ModelGUID(&id)), nil
}

// GetJob is IBackgroundCopyManager::GetJob.
func (m *Manager) GetJob(id model.GUID) (model.Job, error) {
	var p *com.Unknown
	hr := m.mgr.Call(bitsabi.SlotManager.GetJob, com.WinGUID(id), &p)
	if err := com.Check("IBackgroundCopyManager::GetJob", hr); err != nil {
		return nil, err
	}
	return newJob(p, id), nil
}

// EnumJobs is IBackgroundCopyManager::EnumJobs, read with GetCount and Next.
func (m *Manager) EnumJobs(flags model.EnumJobsFlags) ([]model.Job, error) {
	var e *com.Unknown
	hr := m.mgr.Call(bitsabi.SlotManager.EnumJobs, uint32(flags), &e)
	if err := com.Check("IBackgroundCopyManager::EnumJobs", hr); err != nil {
		return nil, err
	}
	defer e.Release()
	ptrs, err := enumAll(e, "IEnumBackgroundCopyJobs")
	if err != nil {
		return nil, err
	}
	jobs := make([]model.Job, 0, len(ptrs))
	for _, p := range ptrs {
		j, err := wrapJob(p)
		p.Release()
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, j)
	}
	return jobs, nil
}

// GetErrorDescription is IBackgroundCopyManager::GetErrorDescription.
func (m *Manager) GetErrorDescription(code model.HRESULT, langID uint32) (string, error) {
	var s *uint16
	hr := m.mgr.Call(bitsabi.SlotManager.GetErrorDescription, uint32(code), langID, &s)
	if err := com.Check("IBackgroundCopyManager::GetErrorDescription", hr); err != nil {
		return "", err
	}
	return com.TakeString(s), nil
}

// enumAll reads an IEnumBackgroundCopyJobs or IEnumBackgroundCopyFiles: it
// asks GetCount, then calls Next until it returns S_FALSE. The caller owns
// one reference on every pointer returned.
func enumAll(e *com.Unknown, name string) ([]*com.Unknown, error) {
	var count uint32
	if err := com.Check(name+"::GetCount", e.Call(bitsabi.SlotEnum.GetCount, &count)); err != nil {
		return nil, err
	}
	var out []*com.Unknown
	batch := make([]*com.Unknown, max(count, 1))
	for {
		var fetched uint32
		hr := e.Call(bitsabi.SlotEnum.Next, uint32(len(batch)), unsafe.Pointer(&batch[0]), &fetched)
		if err := com.Check(name+"::Next", hr); err != nil {
			for _, p := range out {
				p.Release()
			}
			return nil, err
		}
		for i := uint32(0); i < fetched && int(i) < len(batch); i++ {
			if batch[i] != nil {
				out = append(out, batch[i])
			}
			batch[i] = nil
		}
		if hr == model.S_FALSE || fetched == 0 {
			return out, nil
		}
	}
}
