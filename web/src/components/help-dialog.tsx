// web: the keyboard shortcuts dialog (`?`), a native modal dialog so focus and Escape just work
import { useEffect, useRef } from 'preact/hooks';
import { SHORTCUTS } from '../lib/shortcuts';

/** Lists the shortcuts; closes on Escape, the Close button or a click outside. */
export function HelpDialog({ onClose }: { onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    dialog.showModal();
    return () => dialog.close();
  }, []);
  return (
    <dialog
      ref={ref}
      class="help"
      aria-labelledby="help-title"
      onClose={onClose}
      onClick={(event) => event.target === ref.current && onClose()}
    >
      <h2 id="help-title">Keyboard shortcuts</h2>
      <dl>
        {SHORTCUTS.map((shortcut) => (
          <div key={shortcut.keys}>
            <dt>
              <kbd>{shortcut.keys}</kbd>
            </dt>
            <dd>{shortcut.does}</dd>
          </div>
        ))}
      </dl>
      <button type="button" onClick={onClose} autofocus>
        Close
      </button>
    </dialog>
  );
}
