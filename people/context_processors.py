from people import roles as role_rules


def roles(request):
    """What the navigation may show to this user, computed once per request."""
    user = request.user
    person = role_rules.person_of(user)
    role_rules.find_roles(user, person)
    return {
        "me": person,
        "is_hr": role_rules.is_hr(user),
        "is_manager": role_rules.is_manager(person),
        "is_partner": role_rules.is_partner(person),
    }
