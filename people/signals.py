"""What `people` announces to the rest of the product. `people` knows nothing of conversations: whatever must happen
elsewhere when these things happen is done by the apps that listen."""

from django.dispatch import Signal

# Sent with `person_ids` and `now` once people have been marked as left (by the import or in the admin), inside the
# transaction that marked them, so listeners' writes commit or roll back with it.
people_left = Signal()

# Sent with `person_ids` once these people's manager has changed (by set_manager, the import or in the admin),
# inside the transaction that changed it, like `people_left`.
manager_changed = Signal()
